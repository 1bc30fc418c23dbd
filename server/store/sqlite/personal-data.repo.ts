/** Personal data on SQLite (personal-data.port.ts): exports, erasure and pseudonymisation, each in one transaction. */
import type { DataExportRecord, PersonalDataRepo, RetainedPersonRecord } from '../personal-data.port.js';
import { Table, type SqliteContext } from './table.js';
import { eraseSearchEntries } from './search.repo.js';

const exports = new Table<DataExportRecord>('data_exports', {
  id: 'text',
  userId: 'text',
  state: 'text',
  blobId: 'text',
  size: 'int',
  createdAt: 'int',
  readyAt: 'int',
  expiresAt: 'int',
});

const retained = new Table<RetainedPersonRecord>('retained_persons', {
  userId: 'text',
  deletedAt: 'int',
  retainUntil: 'int',
  email: 'text',
  phone: 'text',
  pseudonymisedAt: 'int',
  pseudonym: 'text',
});

/** The tables whose rows belong to one appeal, by `appeal_id`. */
const APPEAL_TABLES = ['status_history', 'chat_messages', 'chat_read_marks', 'yjs_updates', 'yjs_versions', 'case_entries', 'case_entry_marks'] as const;

export function sqlitePersonalData(ctx: SqliteContext): PersonalDataRepo {
  const blobsOfAttachments = (appealId: string): string[] =>
    ctx
      .all("SELECT DISTINCT json_extract(v.value, '$.blobId') AS blob FROM attachments a, json_each(a.versions) v WHERE a.appeal_id = ?", appealId)
      .map((r) => r.blob as string);
  return {
    putExport: (record) =>
      ctx.write(() => {
        ctx.run(exports.insertSql().replace(/^INSERT/, 'INSERT OR REPLACE'), exports.params(record));
      }),
    getExport: (id) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM data_exports WHERE id = ?', id);
        return row ? exports.decode(row) : null;
      }),
    listExports: (userId) =>
      ctx.read(() => ctx.all('SELECT * FROM data_exports WHERE user_id = ? ORDER BY created_at DESC, id DESC', userId).map((r) => exports.decode(r))),
    eraseAppeals: (appealIds) =>
      ctx.write(() => {
        const blobIds = new Set<string>();
        for (const id of appealIds) {
          for (const b of blobsOfAttachments(id)) blobIds.add(b);
          ctx.run('DELETE FROM attachments WHERE appeal_id = ?', id);
          for (const t of APPEAL_TABLES) ctx.run(`DELETE FROM ${t} WHERE appeal_id = ?`, id);
          eraseSearchEntries(ctx, id);
          ctx.run('DELETE FROM appeals WHERE id = ?', id);
        }
        return { blobIds: [...blobIds] };
      }),
    erasePersonal: (userId) =>
      ctx.write(() => {
        const sessionIds = ctx.all('SELECT id FROM sessions WHERE user_id = ?', userId).map((r) => r.id as string);
        const blobIds = ctx.all('SELECT blob_id FROM data_exports WHERE user_id = ? AND blob_id IS NOT NULL', userId).map((r) => r.blob_id as string);
        for (const t of [
          'sessions',
          'codes',
          'notifications',
          'notification_settings',
          'push_subscriptions',
          'chat_read_marks',
          'case_entry_marks',
          'data_exports',
        ]) {
          ctx.run(`DELETE FROM ${t} WHERE user_id = ?`, userId);
        }
        return { sessionIds, blobIds };
      }),
    blobReferenced: (blobId) =>
      ctx.read(
        () =>
          ctx.get('SELECT 1 AS x FROM data_exports WHERE blob_id = ? LIMIT 1', blobId) !== undefined ||
          ctx.get("SELECT 1 AS x FROM attachments a, json_each(a.versions) v WHERE json_extract(v.value, '$.blobId') = ? LIMIT 1", blobId) !== undefined,
      ),
    deleteUser: (userId) => ctx.write(() => ctx.run('DELETE FROM users WHERE id = ?', userId).changes > 0),
    putRetained: (record) =>
      ctx.write(() => {
        ctx.run(retained.insertSql().replace(/^INSERT/, 'INSERT OR REPLACE'), retained.params(record));
      }),
    getRetained: (userId) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM retained_persons WHERE user_id = ?', userId);
        return row ? retained.decode(row) : null;
      }),
    pseudonymise: (userId, pseudonym, at) =>
      ctx.write(() => {
        const changed = ctx.run(
          'UPDATE retained_persons SET email = NULL, phone = NULL, pseudonymised_at = ?, pseudonym = ? WHERE user_id = ? AND pseudonymised_at IS NULL',
          at,
          pseudonym,
          userId,
        ).changes;
        if (changed === 0) return false;
        ctx.run('UPDATE users SET full_name = ?, birth_date = NULL, inn = NULL, address = NULL WHERE id = ?', pseudonym, userId);
        return true;
      }),
  };
}
