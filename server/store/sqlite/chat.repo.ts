/** Chat messages and read marks on SQLite. */
import type { ChatMessageRecord, ChatRepo } from '../store.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const messages = new Table<ChatMessageRecord>('chat_messages', {
  appealId: 'text',
  seq: 'int',
  clientId: 'text',
  authorId: 'text',
  authorRole: 'text',
  text: 'text',
  internal: 'bool',
  at: 'int',
  editOf: 'int',
  withdrawn: 'bool',
});

/** A row as a record: a plain message has no `editOf` and no `withdrawn` (as on MongoDB). */
function decode(row: Record<string, unknown>): ChatMessageRecord {
  // Table.decode gives NULL columns as null, which the record's optional fields do not admit.
  const { editOf, withdrawn, ...message } = messages.decode(row) as Omit<ChatMessageRecord, 'editOf'> & { editOf: number | null };
  return editOf === null ? message : { ...message, editOf, withdrawn: withdrawn === true };
}

/** The insert with the room's next seq, or no row when the clientId is already there. */
const INSERT_NEXT = `INSERT INTO chat_messages (appeal_id, seq, client_id, author_id, author_role, text, internal, at, edit_of, withdrawn)
  SELECT @appeal_id, COALESCE(MAX(seq), 0) + 1, @client_id, @author_id, @author_role, @text, @internal, @at, @edit_of, COALESCE(@withdrawn, 0)
  FROM chat_messages WHERE appeal_id = @appeal_id
  ON CONFLICT (appeal_id, client_id) DO NOTHING RETURNING seq`;

export function sqliteChat(ctx: SqliteContext): ChatRepo {
  return {
    // Runs inside the group commit, so nothing interleaves with it: seqs have no
    // gaps. The common case is one statement: the next seq is computed in the
    // INSERT and a retried clientId hits the UNIQUE index and inserts nothing,
    // after which the first message is read back.
    append: (msg, options) =>
      ctx.write(() => {
        const row = messages.params({ ...msg, seq: 0 });
        const inserted = ctx.get(INSERT_NEXT, row);
        if (inserted) return { message: decode({ ...row, withdrawn: row.withdrawn ?? 0, seq: inserted.seq }), created: true };
        const existing = ctx.get('SELECT * FROM chat_messages WHERE appeal_id = ? AND client_id = ?', msg.appealId, msg.clientId);
        if (!existing) throw new Error('chat message neither inserted nor found');
        return { message: decode(existing), created: false };
      }, options?.durability),
    list: (appealId, query) =>
      ctx.read(() => {
        const where = ['appeal_id = @appeal_id'];
        if (query.afterSeq !== undefined) where.push('seq > @after');
        if (query.beforeSeq !== undefined) where.push('seq < @before');
        if (!query.includeInternal) where.push('internal = 0');
        // With beforeSeq: the newest `limit` before it, returned ascending.
        const newest = query.beforeSeq !== undefined;
        const rows = ctx.all(`SELECT * FROM chat_messages WHERE ${where.join(' AND ')} ORDER BY seq ${newest ? 'DESC' : 'ASC'} LIMIT @limit`, {
          appeal_id: appealId,
          limit: query.limit,
          ...(query.afterSeq !== undefined ? { after: query.afterSeq } : {}),
          ...(query.beforeSeq !== undefined ? { before: query.beforeSeq } : {}),
        });
        if (newest) rows.reverse();
        return rows.map(decode);
      }),
    related: (appealId, seqs, includeInternal) =>
      ctx.read(() => {
        if (seqs.length === 0) return [];
        const list = JSON.stringify(seqs.filter((n) => Number.isSafeInteger(n)));
        const internal = includeInternal ? '' : ' AND internal = 0';
        const rows = ctx.all(
          `SELECT * FROM chat_messages WHERE appeal_id = @appeal_id${internal} AND seq IN (SELECT value FROM json_each(@seqs))
           UNION ALL
           SELECT * FROM chat_messages WHERE appeal_id = @appeal_id${internal} AND edit_of IN (SELECT value FROM json_each(@seqs))
           ORDER BY seq`,
          { appeal_id: appealId, seqs: list },
        );
        return rows.map(decode);
      }),
    setReadMark: (appealId, userId, seq) =>
      ctx.write(
        () =>
          void ctx.run(
            'INSERT INTO chat_read_marks (appeal_id, user_id, seq) VALUES (?, ?, ?) ON CONFLICT (appeal_id, user_id) DO UPDATE SET seq = excluded.seq',
            appealId,
            userId,
            seq,
          ),
      ),
    readMarks: (appealId) =>
      ctx.read(() => {
        const marks: Record<string, number> = {};
        for (const r of ctx.all('SELECT user_id, seq FROM chat_read_marks WHERE appeal_id = ?', appealId)) {
          marks[r.user_id as string] = r.seq as number;
        }
        return marks;
      }),
  };
}
