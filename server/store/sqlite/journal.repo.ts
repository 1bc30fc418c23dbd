/** The audit journal and named counters on SQLite. */
import { sealAuditEntry } from '../audit-chain.js';
import Database from 'better-sqlite3';
import type { AuditDraft, AuditRecord, AuditRepo, CounterRepo } from '../store.js';
import { PERSONAL_DATA_READ, type AccessLogQuery } from '../access-log.records.js';
import type { Row, SqliteContext } from './table.js';
import { Table } from './table.js';
import { queryAudit } from './oversight.repo.js';

const audit = new Table<AuditRecord>('audit', {
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

/**
 * Appends a journal entry; call it only inside a write closure. Reading the
 * last entry and inserting the new one happen in that closure, and closures run
 * one after another inside the group commit, so no other append can slip in
 * between and fork the hash chain.
 */
export function appendAudit(ctx: SqliteContext, draft: AuditDraft): AuditRecord {
  const last = ctx.get('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1') as Pick<AuditRecord, 'seq' | 'hash'> | undefined;
  const params = audit.params(sealAuditEntry(last ?? null, draft));
  ctx.run(audit.insertSql(), params);
  return audit.decode(params);
}

const LIST_AUDIT = 'SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?';

/**
 * The journal read on a connection of its own, read-only: `npm run
 * audit:verify` beside a running server, which holds the data directory's
 * lock (engine/data-dir-lock.ts). In WAL mode a reader sees the last commit and never
 * blocks the writer.
 */
export function readOnlyAudit(file: string): { list: AuditRepo['list']; close: () => void } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const list = db.prepare<[number, number], Row>(LIST_AUDIT);
  return {
    list: (afterSeq, limit) =>
      new Promise((resolve) => {
        resolve(list.all(afterSeq, limit).map((r) => audit.decode(r)));
      }),
    close: () => {
      db.close();
    },
  };
}

/**
 * The access log's page (access-log.records.ts): by person through the index on (action, subject_id,
 * seq), by department through the one on (action, details' departmentId, seq), newest first.
 */
function accessLogSql(q: AccessLogQuery): { sql: string; params: Record<string, unknown> } {
  const where = ['action = @action'];
  const params: Record<string, unknown> = { action: PERSONAL_DATA_READ, limit: Math.max(0, Math.trunc(q.limit)) };
  if (q.subjectId !== undefined) {
    where.push('subject_id = @subjectId');
    params.subjectId = q.subjectId;
  }
  if (q.departmentId !== undefined) {
    where.push("json_extract(details, '$.departmentId') = @departmentId");
    params.departmentId = q.departmentId;
  }
  if (q.appealId !== undefined) {
    where.push("json_extract(details, '$.appealId') = @appealId");
    params.appealId = q.appealId;
  }
  if (q.from !== undefined) {
    where.push('at >= @from');
    params.from = q.from;
  }
  if (q.to !== undefined) {
    where.push('at < @to');
    params.to = q.to;
  }
  if (q.beforeSeq !== undefined) {
    where.push('seq < @beforeSeq');
    params.beforeSeq = q.beforeSeq;
  }
  return { sql: `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT @limit`, params };
}

export function sqliteAudit(ctx: SqliteContext): AuditRepo {
  return {
    append: (draft) => ctx.write(() => appendAudit(ctx, draft)),
    list: (afterSeq, limit) => ctx.read(() => ctx.all(LIST_AUDIT, afterSeq, limit).map((r) => audit.decode(r))),
    accessLog: (q) =>
      ctx.read(() => {
        const { sql, params } = accessLogSql(q);
        return ctx.all(sql, params).map((r) => audit.decode(r));
      }),
    query: (filter) => queryAudit(ctx, filter),
  };
}

export function sqliteCounters(ctx: SqliteContext): CounterRepo {
  return {
    next: (name) =>
      ctx.write(
        () =>
          ctx.get('INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value', name)?.value as number,
      ),
  };
}
