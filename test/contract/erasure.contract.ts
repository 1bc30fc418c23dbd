/**
 * Personal data in the Store (personal-data.port.ts): exports, and what an
 * account's deletion erases, keeps and pseudonymises, declared inside the
 * Store contract (store.contract.ts) so that it runs on each adapter.
 */
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/ids.js';
import type { DataExportRecord, NotificationRecord, Store } from '../../server/store/store.js';
import {
  makeAppeal,
  makeAttachment,
  makeAttachmentVersion,
  makeCaseEntry,
  makeChatMessage,
  makeCode,
  makeHistoryEntry,
  makeRegisteredAppeal,
  makeSession,
  makeUser,
  T0,
  uniq,
} from '../helpers/factories.js';

const exportOf = (userId: string, overrides: Partial<DataExportRecord> = {}): DataExportRecord => ({
  id: `export-${uniq()}`,
  userId,
  state: 'pending',
  blobId: null,
  size: null,
  createdAt: T0,
  readyAt: null,
  expiresAt: null,
  ...overrides,
});

const notice = (userId: string): NotificationRecord => ({
  id: `n-${uniq()}`,
  userId,
  kind: 'status',
  topic: 'status.registered',
  appealId: null,
  appealNumber: null,
  title: 'Обращение принято',
  body: 'Текст',
  link: null,
  at: T0,
  readAt: null,
  deliveries: { inapp: { state: 'sent', at: T0, error: null } },
});

export function describeErasure(s: () => Store): void {
  describe('personal data: exports, erasure, pseudonymisation', () => {
    it('puts, replaces and lists a person’s exports newest first', async () => {
      const userId = `u-${uniq()}`;
      const older = exportOf(userId, { createdAt: T0 });
      const newer = exportOf(userId, { createdAt: T0 + 1000 });
      await s().personalData.putExport(older);
      await s().personalData.putExport(newer);
      await s().personalData.putExport(exportOf(`u-${uniq()}`));
      expect(await s().personalData.getExport(older.id)).toEqual(older);
      const ready = { ...older, state: 'ready' as const, blobId: sha256('zip'), size: 42, readyAt: T0 + 5, expiresAt: T0 + 5 + 86_400_000 };
      await s().personalData.putExport(ready);
      expect(await s().personalData.getExport(older.id)).toEqual(ready);
      expect((await s().personalData.listExports(userId)).map((e) => e.id)).toEqual([newer.id, older.id]);
      expect(await s().personalData.getExport('export-none')).toBeNull();
    });

    it('erases appeals with their history, chat, description, files and entries, and names the blobs they used', async () => {
      const citizen = makeUser();
      await s().users.create(citizen);
      const draft = makeAppeal({ citizenId: citizen.id });
      const kept = makeRegisteredAppeal({ citizenId: citizen.id });
      for (const a of [draft, kept]) await s().appeals.create(a);
      await s().appeals.transition(
        kept.id,
        kept.version,
        { status: 'in_progress' },
        makeHistoryEntry({ from: 'registered', to: 'in_progress', action: 'take' }),
      );
      const sharedBlob = sha256(`shared-${uniq()}`);
      const onlyDraft = sha256(`draft-${uniq()}`);
      await s().attachments.create(
        makeAttachment({
          appealId: draft.id,
          versions: [makeAttachmentVersion({ version: 1, blobId: onlyDraft }), makeAttachmentVersion({ version: 2, blobId: sharedBlob })],
        }),
      );
      await s().attachments.create(makeAttachment({ appealId: kept.id, versions: [makeAttachmentVersion({ version: 1, blobId: sharedBlob })] }));
      await s().chat.append(makeChatMessage({ appealId: draft.id, authorId: citizen.id }));
      await s().chat.setReadMark(draft.id, citizen.id, 1);
      await s().yjs.append(draft.id, new Uint8Array([1, 2, 3]), citizen.id, T0);
      await s().yjs.saveVersion({ id: `v-${uniq()}`, appealId: draft.id, at: T0, authorIds: [citizen.id], state: new Uint8Array([1]) });
      await s().caseEntries.append(makeCaseEntry({ appealId: draft.id, authorId: citizen.id }));
      await s().caseEntries.markSeen(draft.id, citizen.id, 1);

      const { blobIds } = await s().personalData.eraseAppeals([draft.id]);
      expect(blobIds.sort()).toEqual([onlyDraft, sharedBlob].sort());
      expect(await s().appeals.get(draft.id)).toBeNull();
      expect(await s().appeals.history(draft.id)).toEqual([]);
      expect(await s().attachments.list(draft.id)).toEqual([]);
      expect(await s().chat.list(draft.id, { limit: 10, includeInternal: true })).toEqual([]);
      expect(await s().chat.readMarks(draft.id)).toEqual({});
      expect(await s().yjs.load(draft.id)).toEqual([]);
      expect(await s().yjs.listVersions(draft.id)).toEqual([]);
      expect(await s().caseEntries.list(draft.id)).toEqual([]);
      expect(await s().caseEntries.seenMark(draft.id, citizen.id)).toBe(0);
      // The registered appeal is untouched, and still uses the shared blob.
      expect((await s().appeals.get(kept.id))?.status).toBe('in_progress');
      expect(await s().appeals.history(kept.id)).toHaveLength(1);
      expect(await s().personalData.blobReferenced(sharedBlob)).toBe(true);
      expect(await s().personalData.blobReferenced(onlyDraft)).toBe(false);
      expect(await s().personalData.eraseAppeals([])).toEqual({ blobIds: [] });
    });

    it('erases what belongs to the person alone and leaves everyone else’s', async () => {
      const me = makeUser();
      const other = makeUser();
      for (const u of [me, other]) await s().users.create(u);
      const mySessions = [makeSession({ userId: me.id }), makeSession({ userId: me.id })];
      for (const x of [...mySessions, makeSession({ userId: other.id })]) await s().sessions.create(x);
      await s().codes.create(makeCode({ userId: me.id }));
      await s().notifications.create(notice(me.id));
      const theirs = notice(other.id);
      await s().notifications.create(theirs);
      await s().notifications.putSettings({
        userId: me.id,
        updatedAt: T0,
        language: 'en',
        timeZone: 'Europe/Moscow',
        kinds: {
          status: { channels: ['inapp'], appealTypes: null, priorities: null, deadlineWithinDays: null },
          action_required: { channels: ['inapp', 'email'], appealTypes: null, priorities: null, deadlineWithinDays: null },
          deadline: { channels: ['inapp'], appealTypes: null, priorities: null, deadlineWithinDays: null },
        },
      });
      await s().notifications.savePushSubscription({
        id: `p-${uniq()}`,
        userId: me.id,
        endpoint: 'https://push.example/x',
        p256dh: 'k',
        auth: 'a',
        createdAt: T0,
      });
      const zipBlob = sha256(`zip-${uniq()}`);
      await s().personalData.putExport(exportOf(me.id, { state: 'ready', blobId: zipBlob, size: 1, readyAt: T0, expiresAt: T0 + 1 }));
      await s().personalData.putExport(exportOf(me.id));
      const appeal = makeRegisteredAppeal({ citizenId: me.id });
      await s().appeals.create(appeal);
      await s().chat.setReadMark(appeal.id, me.id, 3);
      await s().chat.setReadMark(appeal.id, other.id, 2);
      expect(await s().personalData.blobReferenced(zipBlob)).toBe(true);

      const erased = await s().personalData.erasePersonal(me.id);
      expect(erased.sessionIds.sort()).toEqual(mySessions.map((x) => x.id).sort());
      expect(erased.blobIds).toEqual([zipBlob]);
      for (const x of mySessions) expect(await s().sessions.get(x.id)).toBeNull();
      expect(await s().codes.countSince(me.id, 'email', 0)).toBe(0);
      expect((await s().notifications.list(me.id, { limit: 10, offset: 0 })).total).toBe(0);
      expect(await s().notifications.getSettings(me.id)).toBeNull();
      expect(await s().notifications.listPushSubscriptions(me.id)).toEqual([]);
      expect(await s().personalData.listExports(me.id)).toEqual([]);
      expect(await s().personalData.blobReferenced(zipBlob)).toBe(false);
      expect(await s().chat.readMarks(appeal.id)).toEqual({ [other.id]: 2 });
      // Nobody else's: the other person's notice, the appeal itself, the user row (the service decides about it).
      expect(await s().notifications.get(theirs.id)).toEqual(theirs);
      expect(await s().appeals.get(appeal.id)).not.toBeNull();
      expect(await s().users.get(me.id)).not.toBeNull();
      expect(await s().personalData.erasePersonal(me.id)).toEqual({ sessionIds: [], blobIds: [] });
    });

    it('deletes a user row', async () => {
      const u = makeUser();
      await s().users.create(u);
      expect(await s().personalData.deleteUser(u.id)).toBe(true);
      expect(await s().users.get(u.id)).toBeNull();
      expect(await s().users.findByLogin(u.email)).toBeNull();
      expect(await s().personalData.deleteUser(u.id)).toBe(false);
    });

    it('keeps a deleted account’s contacts aside, then pseudonymises once: name replaced, birth date, address, ИНН and contacts cleared', async () => {
      const u = makeUser();
      await s().users.create(u);
      const appeal = makeRegisteredAppeal({ citizenId: u.id });
      await s().appeals.create(appeal);
      expect(await s().personalData.pseudonymise(u.id, 'Заявитель 0000', T0)).toBe(false);
      const retained = { userId: u.id, deletedAt: T0, retainUntil: T0 + 1000, email: u.email, phone: u.phone, pseudonymisedAt: null, pseudonym: null };
      await s().personalData.putRetained(retained);
      expect(await s().personalData.getRetained(u.id)).toEqual(retained);
      expect(await s().personalData.getRetained('u-none')).toBeNull();

      expect(await s().personalData.pseudonymise(u.id, 'Заявитель 1A2B', T0 + 2000)).toBe(true);
      expect(await s().personalData.getRetained(u.id)).toEqual({
        ...retained,
        email: null,
        phone: null,
        pseudonymisedAt: T0 + 2000,
        pseudonym: 'Заявитель 1A2B',
      });
      const after = await s().users.get(u.id);
      expect(after).toMatchObject({ fullName: 'Заявитель 1A2B', birthDate: null, address: null, inn: null });
      // Once only: a second run changes nothing.
      expect(await s().personalData.pseudonymise(u.id, 'Заявитель FFFF', T0 + 3000)).toBe(false);
      expect((await s().users.get(u.id))?.fullName).toBe('Заявитель 1A2B');
      expect((await s().appeals.get(appeal.id))?.citizenId).toBe(u.id);
    });
  });
}
