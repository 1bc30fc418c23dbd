/** The audit journal and named counters on SQLite. */
import { sealAuditEntry } from '../audit-chain.js';
import type { AuditDraft, AuditRecord, AuditRepo, CounterRepo } from '../store.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

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

export function sqliteAudit(ctx: SqliteContext): AuditRepo {
  return {
    append: (draft) => ctx.write(() => appendAudit(ctx, draft)),
    list: (afterSeq, limit) =>
      ctx.read(() => ctx.all('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?', afterSeq, limit).map((r) => audit.decode(r))),
  };
}

export function sqliteCounters(ctx: SqliteContext): CounterRepo {
  return {
    next: (name) =>
      ctx.write(
        () =>
          ctx.get(
            'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value',
            name,
          )?.value as number,
      ),
  };
}
