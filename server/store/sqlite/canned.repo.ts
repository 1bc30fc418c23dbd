/** Canned replies on SQLite: one row per reply. */
import type { CannedReplyRecord, CannedReplyRepo } from '../canned.records.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const replies = new Table<CannedReplyRecord>('canned_replies', {
  id: 'text',
  departmentId: 'text',
  title: 'text',
  text: 'text',
  updatedAt: 'int',
  updatedBy: 'text',
  updatedByName: 'text',
});

export function sqliteCannedReplies(ctx: SqliteContext): CannedReplyRepo {
  return {
    list: (departmentId) =>
      ctx.read(() => ctx.all('SELECT * FROM canned_replies WHERE department_id = ? ORDER BY title, id', departmentId).map((r) => replies.decode(r))),
    get: (id) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM canned_replies WHERE id = ?', id);
        return row ? replies.decode(row) : null;
      }),
    put: (record) =>
      ctx.write(() => {
        ctx.run(replies.insertSql().replace(/^INSERT/, 'INSERT OR REPLACE'), replies.params(record));
      }),
    delete: (id) => ctx.write(() => ctx.run('DELETE FROM canned_replies WHERE id = ?', id).changes > 0),
  };
}
