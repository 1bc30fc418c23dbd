/** The case's entries (supplements, corrections) and the marks of how far each person has seen them, on SQLite. */
import type { CaseEntryRecord, CaseEntryRepo } from '../store.js';
import { appendAudit } from './journal.repo.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const entries = new Table<CaseEntryRecord>('case_entries', {
  appealId: 'text',
  seq: 'int',
  id: 'text',
  kind: 'text',
  at: 'int',
  authorId: 'text',
  text: 'text',
  attachmentIds: 'json',
  changes: 'json',
});

export function sqliteCaseEntries(ctx: SqliteContext): CaseEntryRepo {
  return {
    // Inside the group commit nothing interleaves between the MAX(seq) read and the insert: no gaps, no twice-taken seq.
    append: (entry, auditDraft) =>
      ctx.write(() => {
        const last = ctx.get('SELECT MAX(seq) AS seq FROM case_entries WHERE appeal_id = ?', entry.appealId)?.seq as number | null;
        const stored: CaseEntryRecord = { ...entry, seq: (last ?? 0) + 1 };
        const params = entries.params(stored);
        ctx.run(entries.insertSql(), params);
        if (auditDraft) appendAudit(ctx, auditDraft);
        return entries.decode(params);
      }),
    list: (appealId, afterSeq = 0) =>
      ctx.read(() => ctx.all('SELECT * FROM case_entries WHERE appeal_id = ? AND seq > ? ORDER BY seq', appealId, afterSeq).map((r) => entries.decode(r))),
    seenMark: (appealId, userId) =>
      ctx.read(() => (ctx.get('SELECT seq FROM case_entry_marks WHERE appeal_id = ? AND user_id = ?', appealId, userId)?.seq as number | undefined) ?? 0),
    markSeen: (appealId, userId, seq) =>
      ctx.write(
        () =>
          void ctx.run(
            `INSERT INTO case_entry_marks (appeal_id, user_id, seq) VALUES (?, ?, ?)
              ON CONFLICT (appeal_id, user_id) DO UPDATE SET seq = MAX(seq, excluded.seq)`,
            appealId,
            userId,
            seq,
          ),
      ),
  };
}
