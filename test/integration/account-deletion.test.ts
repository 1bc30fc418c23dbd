/**
 * «Удалить аккаунт» (docs/personal-data.md), on the real server: the password
 * is asked again; staff cannot delete themselves; a citizen's deletion keeps
 * the registered appeal (its file too) and erases the draft and its file, the
 * export's ZIP, the sessions, notifications, settings and push subscriptions
 * — the blob files gone from disk (SQLite) or GridFS (MongoDB) — closes the
 * person's sockets and Yjs connections, refuses the login, frees the e-mail
 * and phone; after the retention period a scheduler job replaces the name by
 * a pseudonym and drops the kept contacts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLOSE_CODES } from '../../shared/protocol/close-codes.js';
import { ManualClock } from '../../server/lib/clock.js';
import { newId } from '../../server/lib/ids.js';
import type { UserRecord } from '../../server/store/store.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { closeAllSockets, connect } from '../helpers/realtime.js';
import { startTestServer, testStore, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs } from '../helpers/yjs.js';

const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
let server: TestServer;
let citizen: TestClient;
let before: UserRecord;
let keptId: string;
let keptBlob: string;
let draftId: string;
let draftBlob: string;
let supportId: string;
let zipBlob: string;

/** The blob's file under DATA_DIR (disk store), or null on MongoDB (GridFS). */
const blobFile = (id: string): string | null => (testStore === 'sqlite' ? path.join(server.dataDir, 'blobs', id.slice(0, 2), id.slice(2)) : null);
/** Whether the blob's bytes are still stored: the file on disk, or the GridFS files document. */
async function stored(id: string): Promise<boolean> {
  const file = blobFile(id);
  const has = await server.blobs.has(id);
  if (file) expect(existsSync(file)).toBe(has);
  return has;
}

beforeAll(async () => {
  // TRUST_PROXY: the recovery probes come from an address of their own, so they spend no budget of the other logins.
  server = await startTestServer({ clock, schedulerIntervalMs: 0, env: { TRUST_PROXY: '1' } });
  citizen = await loginAs(server, 'citizen');
  before = (await server.store.users.get(citizen.user.id as string))!;
  // A registered appeal with a file.
  const kept = (await fileAppeal(citizen)).appeal;
  keptId = kept.id as string;
  const up = await citizen.post(`/api/appeals/${keptId}/attachments`, formWith([{ name: 'договор.pdf', bytes: pdfBytes(`договор ${newId()}`) }]));
  expect(up.status).toBe(201);
  keptBlob = (await server.store.attachments.list(keptId))[0]!.versions[0]!.blobId;
  // A draft with a file of its own.
  const draft = await citizen.post('/api/appeals', { subject: 'Черновик с личными данными' });
  expect(draft.status).toBe(201);
  draftId = draft.body.appeal.id as string;
  const blob = await server.blobs.put(pdfBytes(`паспорт ${newId()}`));
  draftBlob = blob.id;
  await server.store.attachments.create({
    id: newId(),
    appealId: draftId,
    currentVersion: 1,
    createdAt: clock.now(),
    versions: [
      {
        version: 1,
        blobId: blob.id,
        size: blob.size,
        mime: 'application/pdf',
        fileName: 'паспорт.pdf',
        uploadedBy: citizen.user.id as string,
        at: clock.now(),
      },
    ],
  });
  // A support conversation: no appeal under 59-ФЗ, erased with the account.
  const opened = await citizen.post('/api/support/conversations', { topic: 'Не приходит код', message: 'Код подтверждения не приходит на почту.' });
  expect(opened.status).toBe(201);
  supportId = opened.body.appeal.id as string;
  // A ready export, settings and a push subscription.
  const exp = (await citizen.post('/api/me/exports')).body.export;
  await vi.waitFor(async () => {
    await server.scheduler.runDue();
    expect((await server.store.personalData.getExport(exp.id as string))?.state).toBe('ready');
  });
  zipBlob = (await server.store.personalData.getExport(exp.id as string))!.blobId!;
  await server.notifications.idle();
  await server.store.notifications.savePushSubscription({
    id: newId(),
    userId: citizen.user.id as string,
    endpoint: 'https://push.example/sub',
    p256dh: 'k',
    auth: 'a',
    createdAt: clock.now(),
  });
  for (const id of [keptBlob, draftBlob, zipBlob]) expect(await stored(id)).toBe(true);
});
afterAll(async () => {
  closeAllSockets();
  closeAllYjs();
  await server.stop();
});

describe('deleting one’s account', () => {
  it('refuses without the right password or the confirmation, with a clear message, and changes nothing', async () => {
    const wrong = await citizen.post('/api/me/delete', { password: 'не тот пароль', confirm: true });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'Неверный пароль: учётная запись не удалена',
      fields: { password: 'Неверный пароль' },
    });
    const unconfirmed = await citizen.post('/api/me/delete', { password: demoAccount(server, 'citizen').password });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error.fields.confirm).toBe('Подтвердите удаление учётной записи');
    for (const body of [
      { password: demoAccount(server, 'citizen').password, confirm: 'да' },
      { password: '', confirm: true },
      { password: 'x', confirm: true, role: 'admin' },
      [],
    ]) {
      const bad = await citizen.post('/api/me/delete', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await citizen.get('/api/me')).body.user.id).toBe(before.id);
    expect(await server.store.appeals.get(draftId)).not.toBeNull();
  });

  it('is not for staff: an operator is told that an admin switches staff accounts off', async () => {
    const operator = await loginAs(server, 'operator.portal');
    const res = await operator.post('/api/me/delete', { password: demoAccount(server, 'operator.portal').password, confirm: true });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'Учётную запись сотрудника удаляет не он сам: её отключает администратор.' });
    expect((await operator.get('/api/me')).body.user).not.toBeNull();
  });

  it('erases everything but the registered appeal, closes the sockets and Yjs connections, and refuses the login', async () => {
    const laptop = await loginAs(server, 'citizen');
    const socket = await connect(server.url, laptop, { reconnection: false });
    const doc = await openYjs(server.url, laptop.cookie, keptId);
    const dropped = new Promise<string>((resolve) => {
      socket.once('disconnect', (reason) => {
        resolve(reason);
      });
    });

    const res = await citizen.post('/api/me/delete', { password: demoAccount(server, 'citizen').password, confirm: true });
    expect(res.status).toBe(200);
    const retainUntil = Date.UTC(2026 + 1 + 5, 0, 1);
    expect(res.body).toEqual({ keptAppeals: 1, retainUntil });
    expect(res.headers.getSetCookie().some((c) => c.startsWith('cr_session=;'))).toBe(true);
    expect(await dropped).toBe('io server disconnect');
    expect((await doc.closed).code).toBe(CLOSE_CODES.ACCESS_REVOKED);

    // Sessions gone: neither device is signed in; the login is refused as any wrong login is.
    for (const c of [citizen, laptop]) expect((await c.get('/api/me')).body.user).toBeNull();
    const { login, password } = demoAccount(server, 'citizen');
    const again = await new TestClient(server.url).post('/api/auth/login', { login, password });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('INVALID_CREDENTIALS');
    await expect(connect(server.url, laptop, { reconnection: false })).rejects.toThrow();
    // Recovery and unlock find no account by the old e-mail or phone: the same answer as for a login of nobody, and nothing is sent.
    const sentTo = (to: string): number =>
      existsSync(path.join(server.dataDir, 'outbox.log'))
        ? readFileSync(path.join(server.dataDir, 'outbox.log'), 'utf8')
            .split('\n')
            .filter((l) => l.includes(`"to":"${to}"`)).length
        : 0;
    const sentBefore = [sentTo(before.email), sentTo(before.phone)];
    for (const route of ['/api/auth/recover', '/api/auth/unlock']) {
      for (const login of [before.email, before.phone]) {
        const probe = { 'x-forwarded-for': '203.0.113.7' };
        const theirs = await new TestClient(server.url).request('POST', route, { login }, probe);
        const nobodys = await new TestClient(server.url).request('POST', route, { login: `nobody-${Date.now()}@mail.ru` }, probe);
        expect(theirs.status, `${route} ${login}`).toBe(nobodys.status);
        expect(Object.keys(theirs.body as object).sort()).toEqual(Object.keys(nobodys.body as object).sort());
      }
    }
    await server.scheduler.runDue();
    expect([sentTo(before.email), sentTo(before.phone)]).toEqual(sentBefore);

    // Erased: the draft and its file, the export and its ZIP, notifications, settings, push subscriptions.
    expect(await server.store.appeals.get(draftId)).toBeNull();
    expect(await server.store.appeals.get(supportId)).toBeNull();
    expect(await server.store.chat.list(supportId, { limit: 10, includeInternal: true })).toEqual([]);
    expect(await server.store.attachments.list(draftId)).toEqual([]);
    expect(await stored(draftBlob)).toBe(false);
    expect(await stored(zipBlob)).toBe(false);
    if (testStore === 'sqlite') {
      expect(existsSync(blobFile(draftBlob)!)).toBe(false);
      expect(existsSync(blobFile(zipBlob)!)).toBe(false);
    }
    expect(await server.store.personalData.listExports(before.id)).toEqual([]);
    expect((await server.store.notifications.list(before.id, { limit: 10, offset: 0 })).total).toBe(0);
    expect(await server.store.notifications.getSettings(before.id)).toBeNull();
    expect(await server.store.notifications.listPushSubscriptions(before.id)).toEqual([]);

    // Kept for the law: the registered appeal and its file; the row without its sign-in contacts.
    expect((await server.store.appeals.get(keptId))?.citizenId).toBe(before.id);
    expect(await stored(keptBlob)).toBe(true);
    const row = await server.store.users.get(before.id);
    expect(row).toMatchObject({ fullName: before.fullName, locked: true, emailConfirmed: false, phoneConfirmed: false });
    expect(row?.email).not.toBe(before.email);
    expect(await server.store.users.findByLogin(before.email)).toBeNull();
    expect(await server.store.users.findByLogin(before.phone)).toBeNull();
    expect(await server.store.personalData.getRetained(before.id)).toMatchObject({
      email: before.email,
      phone: before.phone,
      retainUntil,
      pseudonymisedAt: null,
    });
    const journal = await server.store.audit.list(0, 10_000);
    expect(journal.find((e) => e.action === 'account.deleted')).toMatchObject({
      subjectId: before.id,
      details: { keptAppeals: 1, erasedDrafts: 1, erasedSupport: 1, retainUntil },
    });
  });

  it('replaces the person’s data by a pseudonym at the end of the retention period, not before; an appeal still open postpones it', async () => {
    await server.searchIndex.idle();
    const staff = await loginAs(server, 'supervisor.portal');
    const found = await staff.get(`/api/search?q=${encodeURIComponent(before.fullName.split(' ')[0]!)}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: { id: string }) => i.id)).toContain(keptId);
    clock.advance(Date.UTC(2032, 0, 1) - 60_000 - clock.now());
    await server.scheduler.runDue();
    expect((await server.store.users.get(before.id))?.fullName).toBe(before.fullName);
    // The term ends, but the appeal is still being considered: the job waits for its closing's term.
    clock.advance(61_000);
    await server.scheduler.runDue();
    expect((await server.store.users.get(before.id))?.fullName).toBe(before.fullName);
    expect((await server.store.personalData.getRetained(before.id))?.retainUntil).toBe(Date.UTC(2033 + 5, 0, 1));
    // The department closes it in 2032: the term runs to 1 January 2038.
    const operator = await loginAs(server, 'operator.portal');
    expect((await operator.post(`/api/appeals/${keptId}/transitions`, { action: 'take' })).status).toBe(200);
    expect(
      (await operator.post(`/api/appeals/${keptId}/transitions`, { action: 'reject', comment: 'Вопрос не относится к компетенции ведомства.' })).status,
    ).toBe(200);
    // The deleted person is told nothing of it: no notice is stored for them.
    await server.notifications.idle();
    expect((await server.store.notifications.list(before.id, { limit: 10, offset: 0 })).total).toBe(0);
    clock.advance(Date.UTC(2038, 0, 1) + 1000 - clock.now());
    await server.scheduler.runDue();
    const row = await server.store.users.get(before.id);
    expect(row?.fullName).toMatch(/^Заявитель [0-9A-F]{8}$/);
    // The search index forgets the name too: the department's supervisor no longer finds the appeal by it.
    await server.searchIndex.idle();
    const supervisor = await loginAs(server, 'supervisor.portal');
    const surname = before.fullName.split(' ')[0]!;
    expect((await supervisor.get(`/api/search?q=${encodeURIComponent(surname)}`)).body.items.map((i: { id: string }) => i.id)).not.toContain(keptId);
    expect(row).toMatchObject({ birthDate: null, inn: null, address: null });
    expect(await server.store.personalData.getRetained(before.id)).toMatchObject({
      email: null,
      phone: null,
      pseudonym: row?.fullName,
      pseudonymisedAt: clock.now(),
    });
    expect((await server.store.appeals.get(keptId))?.citizenId).toBe(before.id);
  });
});
