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
});

export function sqliteChat(ctx: SqliteContext): ChatRepo {
  return {
    // Runs inside the group commit, so the lookup, MAX(seq) and insert cannot
    // interleave with another append: seqs have no gaps and a retried clientId
    // finds the first row (the UNIQUE index is the last line of defence).
    append: (msg) =>
      ctx.write(() => {
        const existing = ctx.get('SELECT * FROM chat_messages WHERE appeal_id = ? AND client_id = ?', msg.appealId, msg.clientId);
        if (existing) return { message: messages.decode(existing), created: false };
        const last = ctx.get('SELECT MAX(seq) AS s FROM chat_messages WHERE appeal_id = ?', msg.appealId)?.s as number | null;
        const message: ChatMessageRecord = { ...msg, seq: (last ?? 0) + 1 };
        ctx.run(messages.insertSql(), messages.params(message));
        return { message: messages.decode(messages.params(message)), created: true };
      }),
    list: (appealId, query) =>
      ctx.read(() => {
        const where = ['appeal_id = @appeal_id'];
        if (query.afterSeq !== undefined) where.push('seq > @after');
        if (query.beforeSeq !== undefined) where.push('seq < @before');
        if (!query.includeInternal) where.push('internal = 0');
        // With beforeSeq: the newest `limit` before it, returned ascending.
        const newest = query.beforeSeq !== undefined;
        const rows = ctx.all(
          `SELECT * FROM chat_messages WHERE ${where.join(' AND ')} ORDER BY seq ${newest ? 'DESC' : 'ASC'} LIMIT @limit`,
          {
            appeal_id: appealId,
            limit: query.limit,
            ...(query.afterSeq !== undefined ? { after: query.afterSeq } : {}),
            ...(query.beforeSeq !== undefined ? { before: query.beforeSeq } : {}),
          },
        );
        if (newest) rows.reverse();
        return rows.map((r) => messages.decode(r));
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
