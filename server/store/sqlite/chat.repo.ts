/** Chat messages and read marks on SQLite. */
import type Database from 'better-sqlite3';
import type { Role } from '../../../shared/status-machine.js';
import type { ChatMessageRecord, ChatRepo } from '../store.js';
import { insertOutcome } from './errors.js';
import { PayloadReader, PayloadWriter, type StagingKind, type StagingLog } from './staging-log.js';
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

/** How the chat's staging log (staging-log.ts) writes, reads and stores a message. */
export function chatStagingKind(db: Database.Database): StagingKind<ChatMessageRecord> {
  const lastSeq = db.prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM chat_messages WHERE appeal_id = ?');
  const insert = db.prepare(messages.insertSql());
  return {
    name: 'chat',
    encode: (m) => new PayloadWriter().f64(m.seq).f64(m.at).f64(m.internal ? 1 : 0)
      .str(m.appealId).str(m.clientId).str(m.authorId).str(m.authorRole).str(m.text).done(),
    decode: (payload) => {
      const read = new PayloadReader(payload);
      const seq = read.f64();
      const at = read.f64();
      const internal = read.f64() === 1;
      const [appealId, clientId, authorId, authorRole, text] = [read.str(), read.str(), read.str(), read.str(), read.str()];
      if (appealId === null || clientId === null || authorId === null || authorRole === null || text === null) throw new RangeError('chat record with a field missing');
      return { appealId, seq, clientId, authorId, authorRole: authorRole as Role, text, internal, at };
    },
    lastSeq: (appealId) => lastSeq.get(appealId)?.seq ?? 0,
    insert: (m) => insertOutcome(() => insert.run(messages.params(m))),
  };
}

/**
 * Messages go through the staging log (staging-log.ts): written to its file
 * and given the room's next seq at once, moved into `chat_messages` in
 * batches; a read of the history moves them first.
 */
export function sqliteChat(ctx: SqliteContext, staging: StagingLog<ChatMessageRecord>): ChatRepo {
  const byClientId = (appealId: string, clientId: string): ChatMessageRecord | null => {
    for (const m of staging.pending()) if (m.appealId === appealId && m.clientId === clientId) return m;
    const row = ctx.get('SELECT * FROM chat_messages WHERE appeal_id = ? AND client_id = ?', appealId, clientId);
    return row ? messages.decode(row) : null;
  };
  return {
    // A retried clientId finds its first message, queued or stored, and stores nothing.
    append: (msg, options) =>
      // The executor turns a throw (the file write failed) into a rejection.
      new Promise((resolve) => {
        const existing = byClientId(msg.appealId, msg.clientId);
        if (existing) {
          resolve({ message: existing, created: false });
          return;
        }
        const message: ChatMessageRecord = { ...msg, seq: staging.nextSeq(msg.appealId) };
        staging.append(message);
        const created = { message, created: true };
        resolve((options?.durability ?? 'disk') === 'disk' ? staging.drainAndSync().then(() => created) : created);
      }),
    list: (appealId, query) =>
      ctx.read(() => {
        staging.drain();
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
