/** Oversight on SQLite (oversight.port.ts): the journal's filtered read, Open311 keys and consents, webhooks and deliveries. */
import type { ApiKeyRecord, AuditQuery, AuditRecord, OversightRepo, Page, WebhookDeliveryRecord, WebhookRecord } from '../store.js';
import type { SqliteContext } from './table.js';
import { Table, q } from './table.js';

const auditRows = new Table<AuditRecord>('audit', {
  seq: 'int',
  at: 'int',
  actorId: 'text',
  action: 'text',
  subjectType: 'text',
  subjectId: 'text',
  details: 'json',
  prevHash: 'text',
  hash: 'text',
});

const apiKeys = new Table<ApiKeyRecord>('api_keys', {
  id: 'text',
  name: 'text',
  prefix: 'text',
  keyHash: 'text',
  ratePerMinute: 'int',
  createdAt: 'int',
  createdBy: 'text',
  revokedAt: 'int',
});

const webhooks = new Table<WebhookRecord>('webhooks', {
  id: 'text',
  url: 'text',
  events: 'json',
  secret: 'text',
  trusted: 'bool',
  allowPrivate: 'bool',
  active: 'bool',
  createdAt: 'int',
  createdBy: 'text',
});

const deliveries = new Table<WebhookDeliveryRecord>('webhook_deliveries', {
  id: 'text',
  webhookId: 'text',
  event: 'text',
  body: 'text',
  state: 'text',
  attempts: 'int',
  lastStatus: 'int',
  lastError: 'text',
  createdAt: 'int',
  updatedAt: 'int',
  deliveredAt: 'int',
  replayOf: 'text',
});

/** An entry's appeal: the same expression as the index audit_q_appeal (migration 21), so that the index serves it. */
const ENTRY_APPEAL = "(CASE WHEN subject_type = 'appeal' THEN subject_id ELSE json_extract(details, '$.appealId') END)";

/** The journal's filtered read, newest first. */
export function queryAudit(ctx: SqliteContext, f: AuditQuery): Promise<Page<AuditRecord>> {
  return ctx.read(() => {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.appealId !== undefined) {
      where.push(`${ENTRY_APPEAL} = ?`);
      params.push(f.appealId);
    }
    if (f.departmentId !== undefined) {
      where.push(`${ENTRY_APPEAL} IN (SELECT id FROM appeals WHERE department_id = ?)`);
      params.push(f.departmentId);
    }
    if (f.personId !== undefined) {
      where.push("(actor_id = ? OR (subject_type = 'user' AND subject_id = ?))");
      params.push(f.personId, f.personId);
    }
    if (f.action !== undefined) {
      where.push('action = ?');
      params.push(f.action);
    }
    if (f.from !== undefined) {
      where.push('at >= ?');
      params.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('at < ?');
      params.push(f.to);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = ctx.get(`SELECT COUNT(*) AS n FROM audit ${clause}`, ...params)?.n as number;
    const rows = ctx.all(`SELECT * FROM audit ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`, ...params, f.limit, f.offset);
    return { items: rows.map((r) => auditRows.decode(r)), total };
  });
}

const DELIVERY_PATCHABLE = ['state', 'attempts', 'lastStatus', 'lastError', 'updatedAt', 'deliveredAt'] as const;

export function sqliteOversight(ctx: SqliteContext): OversightRepo {
  return {
    createApiKey: (record) =>
      ctx.write(() => {
        ctx.run(apiKeys.insertSql(), apiKeys.params(record));
      }),
    listApiKeys: () => ctx.read(() => ctx.all('SELECT * FROM api_keys ORDER BY created_at DESC, id DESC').map((r) => apiKeys.decode(r))),
    apiKeyByHash: (keyHash) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM api_keys WHERE key_hash = ?', keyHash);
        return row ? apiKeys.decode(row) : null;
      }),
    revokeApiKey: (id, at) =>
      ctx.write(() => {
        ctx.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', at, id);
        const row = ctx.get('SELECT * FROM api_keys WHERE id = ?', id);
        return row ? apiKeys.decode(row) : null;
      }),

    isPublic: (appealId) => ctx.read(() => ctx.get('SELECT is_public FROM appeal_publicity WHERE appeal_id = ?', appealId)?.is_public === 1),
    setPublic: (appealId, isPublic, at) =>
      ctx.write(() => {
        ctx.run(
          'INSERT INTO appeal_publicity (appeal_id, is_public, at) VALUES (?, ?, ?) ON CONFLICT (appeal_id) DO UPDATE SET is_public = excluded.is_public, at = excluded.at',
          appealId,
          isPublic ? 1 : 0,
          at,
        );
      }),
    publicAppealIds: (f) =>
      ctx.read(() => {
        const where = ['p.is_public = 1', "a.status != 'draft'", 'a.submitted_at IS NOT NULL'];
        const params: unknown[] = [];
        const within = (column: string, values: readonly string[] | undefined): void => {
          if (values === undefined) return;
          where.push(values.length === 0 ? '0' : `${column} IN (${values.map(() => '?').join(', ')})`);
          params.push(...values);
        };
        within('a.id', f.ids);
        within('a.category_id', f.categoryIds);
        within('a.status', f.statuses);
        if (f.from !== undefined) {
          where.push('a.submitted_at >= ?');
          params.push(f.from);
        }
        if (f.to !== undefined) {
          where.push('a.submitted_at < ?');
          params.push(f.to);
        }
        const sql = `SELECT a.id FROM appeal_publicity p JOIN appeals a ON a.id = p.appeal_id WHERE ${where.join(' AND ')} ORDER BY a.submitted_at DESC, a.id DESC LIMIT ?`;
        return ctx.all(sql, ...params, f.limit).map((r) => r.id as string);
      }),

    putWebhook: (record) =>
      ctx.write(() => {
        ctx.run(webhooks.insertSql().replace(/^INSERT/, 'INSERT OR REPLACE'), webhooks.params(record));
      }),
    getWebhook: (id) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM webhooks WHERE id = ?', id);
        return row ? webhooks.decode(row) : null;
      }),
    listWebhooks: () => ctx.read(() => ctx.all('SELECT * FROM webhooks ORDER BY created_at, id').map((r) => webhooks.decode(r))),
    deleteWebhook: (id) => ctx.write(() => ctx.run('DELETE FROM webhooks WHERE id = ?', id).changes > 0),

    createDelivery: (record) =>
      ctx.write(() => {
        ctx.run(deliveries.insertSql(), deliveries.params(record));
      }),
    getDelivery: (id) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM webhook_deliveries WHERE id = ?', id);
        return row ? deliveries.decode(row) : null;
      }),
    updateDelivery: (id, patch) =>
      ctx.write(() => {
        const fields = deliveries.patchFields(patch, []).filter((f) => (DELIVERY_PATCHABLE as readonly string[]).includes(f));
        if (fields.length > 0)
          ctx.run(`UPDATE webhook_deliveries SET ${deliveries.setClause(fields)} WHERE ${q('id')} = @id`, { ...deliveries.params(patch, fields), id });
        const row = ctx.get('SELECT * FROM webhook_deliveries WHERE id = ?', id);
        return row ? deliveries.decode(row) : null;
      }),
    listDeliveries: (f) =>
      ctx.read(() => {
        const clause = f.webhookId === undefined ? '' : 'WHERE webhook_id = ?';
        const params = f.webhookId === undefined ? [] : [f.webhookId];
        const total = ctx.get(`SELECT COUNT(*) AS n FROM webhook_deliveries ${clause}`, ...params)?.n as number;
        const rows = ctx.all(`SELECT * FROM webhook_deliveries ${clause} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, ...params, f.limit, f.offset);
        return { items: rows.map((r) => deliveries.decode(r)), total };
      }),
  };
}
