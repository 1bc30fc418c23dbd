/** Yjs update logs, document versions and attachments on SQLite. */
import type { AttachmentRecord, AttachmentRepo, AuditDraft, YjsRepo, YjsUpdateRecord, YjsVersionRecord } from '../store.js';
import { MAX_STORED_BYTES, StoreError } from '../store.js';
import { appendAudit } from './journal.repo.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const updates = new Table<YjsUpdateRecord>('yjs_updates', {
  appealId: 'text',
  seq: 'int',
  update: 'blob',
  authorId: 'text',
  at: 'int',
});

const versions = new Table<YjsVersionRecord>('yjs_versions', {
  id: 'text',
  appealId: 'text',
  at: 'int',
  authorIds: 'json',
  state: 'blob',
});

const attachments = new Table<AttachmentRecord>('attachments', {
  id: 'text',
  appealId: 'text',
  currentVersion: 'int',
  versions: 'json',
  createdAt: 'int',
});

/**
 * Appends at the document's next seq. It runs inside the group commit's
 * transaction, which holds the write lock: nothing interleaves between the
 * MAX(seq) it reads (one seek at the end of the document's range of the
 * clustered table) and its insert.
 */
const APPEND_NEXT = `INSERT INTO yjs_updates (appeal_id, seq, "update", author_id, at)
  SELECT @appeal_id, COALESCE(MAX(seq), 0) + 1, @update, @author_id, @at FROM yjs_updates WHERE appeal_id = @appeal_id
  RETURNING seq`;

/** The Yjs log: one row per update, written through the group commit like every other write. */
export function sqliteYjs(ctx: SqliteContext): YjsRepo {
  /** The same limit as on MongoDB (store.ts), so that a room behaves alike on both. */
  const fits = (bytes: Uint8Array, what: string): void => {
    if (bytes.byteLength > MAX_STORED_BYTES) throw new StoreError('too_large', what);
  };
  return {
    append: async (appealId, update, authorId, at, options) => {
      fits(update, 'update');
      return await ctx.write(() => ctx.get(APPEND_NEXT, updates.params({ appealId, seq: 0, update, authorId, at }))?.seq as number, options?.durability);
    },
    load: (appealId) => ctx.read(() => ctx.all('SELECT * FROM yjs_updates WHERE appeal_id = ? ORDER BY seq', appealId).map((r) => updates.decode(r))),
    // The merged row keeps the time of the newest update it replaces; updates
    // after upToSeq are untouched, so appends racing a compaction are not lost.
    compact: async (appealId, upToSeq, merged) => {
      fits(merged, 'update');
      await ctx.write(() => {
        const at = ctx.get('SELECT MAX(at) AS at FROM yjs_updates WHERE appeal_id = ? AND seq <= ?', appealId, upToSeq)?.at as number | null;
        ctx.run('DELETE FROM yjs_updates WHERE appeal_id = ? AND seq <= ?', appealId, upToSeq);
        ctx.run(updates.insertSql(), updates.params({ appealId, seq: upToSeq, update: merged, authorId: null, at: at ?? 0 }));
      });
    },
    saveVersion: async (version) => {
      fits(version.state, 'state');
      await ctx.write(() => void ctx.run(versions.insertSql(), versions.params(version)));
    },
    listVersions: (appealId) =>
      ctx.read(() =>
        ctx.all('SELECT id, appeal_id, at, author_ids FROM yjs_versions WHERE appeal_id = ? ORDER BY at DESC, rowid DESC', appealId).map((r) => {
          const { state: _state, ...rest } = versions.decode(r);
          return rest;
        }),
      ),
    getVersion: (appealId, id) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM yjs_versions WHERE appeal_id = ? AND id = ?', appealId, id);
        return row ? versions.decode(row) : null;
      }),
  };
}

export function sqliteAttachments(ctx: SqliteContext): AttachmentRepo {
  const get = (id: string): AttachmentRecord | null => {
    const row = ctx.get('SELECT * FROM attachments WHERE id = ?', id);
    return row ? attachments.decode(row) : null;
  };
  const save = (att: AttachmentRecord): AttachmentRecord => {
    ctx.run('UPDATE attachments SET versions = @versions, current_version = @current_version WHERE id = @id', {
      ...attachments.params(att, ['versions', 'currentVersion']),
      id: att.id,
    });
    return att;
  };
  /** Appends the change's journal entry in the same write (a failure undoes both). */
  const journalled = (att: AttachmentRecord, auditDraft: AuditDraft | undefined): AttachmentRecord => {
    if (auditDraft) appendAudit(ctx, auditDraft);
    return att;
  };
  return {
    create: (att, auditDraft) =>
      ctx.write(() => {
        ctx.run(attachments.insertSql(), attachments.params(att));
        if (auditDraft) appendAudit(ctx, auditDraft);
      }),
    get: (id) => ctx.read(() => get(id)),
    list: (appealId) =>
      ctx.read(() => ctx.all('SELECT * FROM attachments WHERE appeal_id = ? ORDER BY created_at, id', appealId).map((r) => attachments.decode(r))),
    addVersion: (id, version, auditDraft) =>
      ctx.write(() => {
        const att = get(id);
        // A number already taken (by another instance's upload) changes nothing.
        if (!att || att.versions.some((v) => v.version === version.version)) return null;
        return journalled(save({ ...att, versions: [...att.versions, { ...version }], currentVersion: version.version }), auditDraft);
      }),
    // Pointing at a version that does not exist changes nothing and gives null.
    setCurrent: (id, version, auditDraft) =>
      ctx.write(() => {
        const att = get(id);
        if (!att?.versions.some((v) => v.version === version)) return null;
        return journalled(save({ ...att, currentVersion: version }), auditDraft);
      }),
  };
}
