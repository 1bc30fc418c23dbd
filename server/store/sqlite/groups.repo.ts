/** Linked appeals on SQLite: the group's row and one row per member (an appeal in one group at most). */
import type { AppealGroupRecord, AppealGroupRepo } from '../group.records.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const groups = new Table<AppealGroupRecord>('appeal_groups', {
  id: 'text',
  departmentId: 'text',
  appealIds: 'json',
  createdAt: 'int',
  createdBy: 'text',
  version: 'int',
});

export function sqliteAppealGroups(ctx: SqliteContext): AppealGroupRepo {
  const read = (id: string): AppealGroupRecord | null => {
    const row = ctx.get('SELECT * FROM appeal_groups WHERE id = ?', id);
    return row ? groups.decode(row) : null;
  };
  return {
    get: (id) => ctx.read(() => read(id)),
    ofAppeal: (appealId) =>
      ctx.read(() => {
        const row = ctx.get('SELECT group_id FROM appeal_group_members WHERE appeal_id = ?', appealId);
        return row ? read(row.group_id as string) : null;
      }),
    // One transaction: the version check, the row, and the member rows (whose primary key refuses an
    // appeal of another group); a refusal rolls back whatever was written before it.
    put: (record, expectedVersion) =>
      ctx.write(() => {
        const stored = read(record.id);
        if ((stored?.version ?? null) !== expectedVersion) return false;
        const taken = ctx.all(
          'SELECT appeal_id FROM appeal_group_members WHERE group_id <> ? AND appeal_id IN (SELECT value FROM json_each(?))',
          record.id,
          JSON.stringify(record.appealIds),
        );
        if (taken.length > 0) return false;
        ctx.run(groups.insertSql().replace(/^INSERT/, 'INSERT OR REPLACE'), groups.params(record));
        ctx.run('DELETE FROM appeal_group_members WHERE group_id = ?', record.id);
        for (const appealId of record.appealIds) ctx.run('INSERT INTO appeal_group_members (appeal_id, group_id) VALUES (?, ?)', appealId, record.id);
        return true;
      }),
    delete: (id) =>
      ctx.write(() => {
        ctx.run('DELETE FROM appeal_group_members WHERE group_id = ?', id);
        ctx.run('DELETE FROM appeal_groups WHERE id = ?', id);
      }),
  };
}
