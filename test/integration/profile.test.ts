/**
 * The profile over HTTP (docs/accounts.md): personal data, the password,
 * a new e-mail or phone by a code, the sessions. Real SQLite, real SMTP sink,
 * the real HTTP SMS adapter against a gateway stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits.js';
import { Client, startAuthApp, type AuthApp } from '../helpers/auth-app.js';
import { codeIn, isSignedIn, mailTo, PASSWORD, registerConfirmed, signIn, smsTo } from '../helpers/accounts-flow.js';
import { randomPhone, uniq } from '../helpers/factories.js';
import { closeAllSockets, connect } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, loginAs } from '../helpers/session.js';

let app: AuthApp;

beforeAll(async () => {
  app = await startAuthApp({
    limits: {
      loginPerIp: { points: 1000, durationSec: 60 },
      confirmPerIp: { points: 1000, durationSec: 60 },
      registerPerIp: { points: 1000, durationSec: 60 },
    },
  });
});

afterAll(async () => {
  await app.close();
});

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

async function auditActions(userId: string): Promise<{ action: string; details: unknown }[]> {
  const all = await app.store.audit.list(0, 10_000);
  return all.filter((e) => e.subjectId === userId).map((e) => ({ action: e.action, details: e.details }));
}

describe('personal data', () => {
  it('saves ФИО, date of birth, address and ИНН, and journals which fields changed', async () => {
    const { client, user } = await registerConfirmed(app);
    const reply = await client.put('/api/me/profile', {
      fullName: 'Петрова Мария Сергеевна',
      birthDate: '1990-02-03',
      inn: '500100732259',
      address: 'г. Казань, ул. Баумана, д. 5',
    });
    expect(reply.status).toBe(200);
    expect(reply.body?.user).toMatchObject({
      fullName: 'Петрова Мария Сергеевна',
      birthDate: '1990-02-03',
      inn: '500100732259',
      address: 'г. Казань, ул. Баумана, д. 5',
    });
    expect((await client.get('/api/me')).body?.user?.fullName).toBe('Петрова Мария Сергеевна');
    expect(await auditActions(user.id)).toContainEqual({ action: 'account.profile_changed', details: { fields: ['fullName', 'birthDate', 'address'] } });
  });

  it('refuses an ИНН whose checksum fails, a citizen clearing a required field, and a date of birth in the future; nothing is stored', async () => {
    const { client, user } = await registerConfirmed(app);
    const base = { fullName: user.fullName, birthDate: user.birthDate, inn: user.inn, address: user.address };
    const badInn = await client.put('/api/me/profile', { ...base, inn: '500100732258' });
    expect(badInn.status).toBe(400);
    expect(badInn.body?.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { inn: 'ИНН не прошёл проверку контрольной суммы' } });
    const cleared = await client.put('/api/me/profile', { ...base, address: null });
    expect(cleared.status).toBe(400);
    expect(cleared.body?.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { address: 'обязательное поле' } });
    const future = await client.put('/api/me/profile', { ...base, birthDate: '2999-01-01' });
    expect(future.body?.error?.fields?.birthDate).toBe('дата рождения вне допустимого диапазона');
    expect((await client.get('/api/me')).body?.user).toMatchObject(base);
  });

  it('is refused without a session', async () => {
    const anonymous = new Client(app);
    const reply = await anonymous.put('/api/me/profile', { fullName: 'Кто-то Неизвестный', birthDate: null, inn: null, address: null });
    expect(reply.status).toBe(401);
    expect(reply.body?.error?.code).toBe('UNAUTHENTICATED');
  });
});

describe('password change', () => {
  it('needs the current password, refuses a weak new one, then ends every other session (announced) and keeps this one', async () => {
    const { client, input, user } = await registerConfirmed(app);
    const other = await signIn(app, input.email);
    expect(other.reply.status).toBe(200);
    const third = await signIn(app, input.phone);

    const wrong = await client.post('/api/me/password', { currentPassword: 'not my password 1', newPassword: 'brand new secret 7' });
    expect(wrong.status).toBe(400);
    expect(wrong.body?.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { currentPassword: 'Текущий пароль указан неверно' } });
    const weak = await client.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'short1' });
    expect(weak.status).toBe(400);
    expect(weak.body?.error?.fields?.newPassword).toBe('не короче 10 символов');
    const noDigits = await client.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'only letters here' });
    expect(noDigits.body?.error?.fields?.newPassword).toBe('пароль должен содержать буквы и цифры');
    expect(await isSignedIn(other.client)).toBe(true);

    const eventsBefore = app.events.length;
    const ok = await client.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'brand new secret 7' });
    expect(ok.status).toBe(200);
    expect(ok.body?.endedSessions).toBe(2);
    expect(await isSignedIn(client)).toBe(true);
    expect(await isSignedIn(other.client)).toBe(false);
    expect(await isSignedIn(third.client)).toBe(false);
    const ended = app.events.slice(eventsBefore).filter((e) => e.type === 'session.ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ type: 'session.ended', userId: user.id });
    expect((ended[0] as { sessionIds: string[] }).sessionIds).toHaveLength(2);

    expect((await signIn(app, input.email)).reply.body?.error?.code).toBe('INVALID_CREDENTIALS');
    expect((await signIn(app, input.email, 'brand new secret 7')).reply.status).toBe(200);
    expect((await auditActions(user.id)).map((e) => e.action)).toEqual(expect.arrayContaining(['account.password_change_failed', 'account.password_changed']));
  });
});

describe('contact change', () => {
  it('sends a code to the new e-mail and, once confirmed, changes it and tells the old address', async () => {
    const { client, input, user } = await registerConfirmed(app);
    const next = `maria-${uniq()}@yandex.ru`;
    const since = app.smtp.messages.length;
    const reply = await client.post('/api/me/contact', { channel: 'email', value: next.toUpperCase() });
    expect(reply.status).toBe(200);
    expect(reply.body?.request).toMatchObject({ channel: 'email', sentTo: 'm***@yandex.ru' });
    const mail = await mailTo(app, next, since);
    expect(mail.subject).toBe('Код для смены контакта');
    // Not changed until the code comes back.
    expect((await client.get('/api/me')).body?.user?.email).toBe(input.email);

    const confirmSince = app.smtp.messages.length;
    const done = await client.post('/api/me/contact/confirm', { requestId: reply.body?.request?.requestId, code: codeIn(mail.text) });
    expect(done.status).toBe(200);
    expect(done.body?.user).toMatchObject({ email: next, emailConfirmed: true });
    const notice = await mailTo(app, input.email, confirmSince);
    expect(notice.subject).toBe('Контакт учётной записи изменён');
    expect(notice.text).toContain('m***@yandex.ru');
    expect(notice.text).not.toContain(next);

    expect((await signIn(app, next)).reply.status).toBe(200);
    expect((await signIn(app, input.email)).reply.body?.error?.code).toBe('INVALID_CREDENTIALS');
    expect(await auditActions(user.id)).toContainEqual({ action: 'account.contact_changed', details: { channel: 'email' } });
  });

  it('changes the phone by a code in an SMS and tells the old number', async () => {
    const { client, input } = await registerConfirmed(app);
    const next = randomPhone();
    const since = app.sms.messages.length;
    const reply = await client.post('/api/me/contact', { channel: 'phone', value: `8${next.slice(2)}` });
    expect(reply.status).toBe(200);
    const code = codeIn(smsTo(app, next, since));
    const confirmSince = app.sms.messages.length;
    const done = await client.post('/api/me/contact/confirm', { requestId: reply.body?.request?.requestId, code });
    expect(done.body?.user).toMatchObject({ phone: next, phoneConfirmed: true });
    expect(smsTo(app, input.phone, confirmSince)).toContain('номер телефона изменён');
  });

  it('answers a new e-mail another account holds exactly as a free one, sends no code, and never lets the code step succeed', async () => {
    const holder = await registerConfirmed(app);
    const { client, input } = await registerConfirmed(app);
    const free = `free-${uniq()}@mail.ru`;

    const freeReply = await client.post('/api/me/contact', { channel: 'email', value: free });
    const sinceTaken = app.smtp.messages.length;
    const takenReply = await client.post('/api/me/contact', { channel: 'email', value: holder.input.email });
    expect(takenReply.status).toBe(freeReply.status);
    expect(Object.keys(takenReply.body?.request ?? {}).sort()).toEqual(Object.keys(freeReply.body?.request ?? {}).sort());
    expect(takenReply.body?.request?.sentTo).toBe('i***@mail.ru');
    expect(freeReply.body?.request?.sentTo).toBe('f***@mail.ru');
    expect(takenReply.body?.request?.expiresAt).toBe(freeReply.body?.request?.expiresAt);

    // The holder's address is told someone tried it, with no code in the message.
    const notice = await mailTo(app, holder.input.email, sinceTaken);
    expect(notice.subject).toBe('Попытка указать ваш контакт');
    expect(/\b\d{6}\b/.test(notice.text)).toBe(false);

    // Any code is answered like a wrong code of a free address, counting down alike.
    const requestId = takenReply.body?.request?.requestId;
    const a = await client.post('/api/me/contact/confirm', { requestId, code: '000000' });
    const b = await client.post('/api/me/contact/confirm', { requestId: freeReply.body?.request?.requestId, code: '000000' });
    expect(a.status).toBe(400);
    expect(a.body).toEqual(b.body);
    expect(a.body?.error).toEqual({ code: 'CODE_INVALID', message: `Неверный код, осталось попыток: ${LIMITS.codeMaxAttempts - 1}` });
    expect((await client.get('/api/me')).body?.user?.email).toBe(input.email);
    expect((await app.store.users.findByLogin(holder.input.email))?.id).toBe(holder.user.id);
  });

  it('refuses a wrong, a reused and an expired code, a code of another purpose, and the address one already has', async () => {
    const { client, input } = await registerConfirmed(app);
    const same = await client.post('/api/me/contact', { channel: 'email', value: input.email });
    expect(same.body?.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { value: 'Это ваш текущий адрес электронной почты' } });
    const badValue = await client.post('/api/me/contact', { channel: 'phone', value: '12345' });
    expect(badValue.body?.error?.fields?.value).toBe('номер телефона в формате +7XXXXXXXXXX');

    const next = `n-${uniq()}@mail.ru`;
    let since = app.smtp.messages.length;
    const first = await client.post('/api/me/contact', { channel: 'email', value: next });
    const code = codeIn((await mailTo(app, next, since)).text);
    const requestId = first.body?.request?.requestId;
    const wrong = await client.post('/api/me/contact/confirm', { requestId, code: code === '111111' ? '222222' : '111111' });
    expect(wrong.body?.error?.code).toBe('CODE_INVALID');
    expect((await client.post('/api/me/contact/confirm', { requestId, code })).status).toBe(200);
    const reused = await client.post('/api/me/contact/confirm', { requestId, code });
    expect(reused.status).toBe(410);
    expect(reused.body?.error?.code).toBe('CODE_EXPIRED');

    const later = `l-${uniq()}@mail.ru`;
    since = app.smtp.messages.length;
    const second = await client.post('/api/me/contact', { channel: 'email', value: later });
    const code2 = codeIn((await mailTo(app, later, since)).text);
    app.clock.advance(LIMITS.codeTtlMs + 1);
    const expired = await client.post('/api/me/contact/confirm', { requestId: second.body?.request?.requestId, code: code2 });
    expect(expired.status).toBe(410);
    expect(expired.body?.error?.code).toBe('CODE_EXPIRED');
    expect((await client.get('/api/me')).body?.user?.email).toBe(next);

    // A contact-change code cannot confirm a contact at registration's endpoint, and the reverse.
    const third = `t-${uniq()}@mail.ru`;
    since = app.smtp.messages.length;
    const r3 = await client.post('/api/me/contact', { channel: 'email', value: third });
    const code3 = codeIn((await mailTo(app, third, since)).text);
    const crossed = await client.post('/api/auth/confirm', { requestId: r3.body?.request?.requestId, code: code3 });
    expect(crossed.body?.error?.code).toBe('CODE_INVALID');
  });
});

describe('sessions', () => {
  it('lists each session with its device, IP and times, marks the current one, and ends another one', async () => {
    const { input, user } = await registerConfirmed(app);
    // A second apart each, so that the list's order (oldest first) is theirs.
    app.clock.advance(1000);
    const chrome = await signIn(app, input.email, PASSWORD, CHROME);
    app.clock.advance(1000);
    const firefox = await signIn(app, input.phone, PASSWORD, FIREFOX);
    app.clock.advance(2 * 60_000);
    const list = await chrome.client.get('/api/me/sessions');
    expect(list.status).toBe(200);
    const items = (
      list.body as unknown as { items: { id: string; current: boolean; device: string | null; ip: string | null; createdAt: number; lastSeenAt: number }[] }
    ).items;
    // Registration's session ended at confirmation; one from confirming, and the two sign-ins.
    expect(items.map((i) => i.device)).toEqual([null, 'Chrome 120, Windows', 'Firefox 121, Linux']);
    expect(items.map((i) => i.current)).toEqual([false, true, false]);
    for (const i of items) {
      expect(i.ip).toMatch(/127\.0\.0\.1$/);
      expect(i.id).toMatch(/^[0-9a-f]{32}$/);
      expect(i.lastSeenAt).toBeGreaterThanOrEqual(i.createdAt);
    }
    expect(items[1]?.createdAt).toBe((items[0]?.createdAt ?? 0) + 1000);
    // Listing used the Chrome session two minutes later: its last use moved, the others' did not.
    expect(items[1]?.lastSeenAt).toBe(app.clock.now());
    expect(items[2]?.lastSeenAt).toBe(items[2]?.createdAt);

    const target = items[2]?.id;
    expect((await chrome.client.del(`/api/me/sessions/${target}`)).status).toBe(204);
    expect(await isSignedIn(firefox.client)).toBe(false);
    expect(await isSignedIn(chrome.client)).toBe(true);
    expect(app.events.at(-1)).toMatchObject({ type: 'session.ended', userId: user.id });
    const after = (await chrome.client.get('/api/me/sessions')).body as unknown as { items: { id: string }[] };
    expect(after.items.map((i) => i.id)).not.toContain(target);

    // Ended already, unknown, or another person's: NOT_FOUND.
    expect((await chrome.client.del(`/api/me/sessions/${target}`)).status).toBe(404);
    const stranger = await registerConfirmed(app);
    const theirs = ((await stranger.client.get('/api/me/sessions')).body as unknown as { items: { id: string }[] }).items[0]?.id;
    expect((await chrome.client.del(`/api/me/sessions/${theirs}`)).status).toBe(404);
    expect(await isSignedIn(stranger.client)).toBe(true);
  });
});

describe('on the live server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    closeAllSockets();
    await server.stop();
  });

  /** Resolves with the time the socket disconnects. */
  const disconnectedAt = (socket: Awaited<ReturnType<typeof connect>>): Promise<number> =>
    new Promise<number>((resolve) => {
      socket.once('disconnect', () => {
        resolve(Date.now());
      });
    });

  it("a password change closes the other sessions' sockets within a second and keeps this one's", async () => {
    const account = demoAccount(server, 'expert');
    const here = await loginAs(server, 'expert');
    const there = await loginAs(server, 'expert');
    const mine = await connect(server.url, here);
    const theirs = await connect(server.url, there);
    const closed = disconnectedAt(theirs);
    const t0 = Date.now();
    const reply = await here.post('/api/me/password', { currentPassword: account.password, newPassword: 'expert new secret 1' });
    expect(reply.status).toBe(200);
    expect(reply.body.endedSessions).toBe(1);
    expect((await closed) - t0).toBeLessThan(1000);
    expect(mine.connected).toBe(true);
    await expect(connect(server.url, there)).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
    account.password = 'expert new secret 1';
  });

  it("ending a session from the list closes that session's sockets within a second", async () => {
    const here = await loginAs(server, 'citizen');
    const there = await loginAs(server, 'citizen');
    const theirs = await connect(server.url, there);
    const items = (await here.get('/api/me/sessions')).body.items as { id: string; current: boolean }[];
    const other = items.filter((s) => !s.current).at(-1);
    const closed = disconnectedAt(theirs);
    const t0 = Date.now();
    expect((await here.request('DELETE', `/api/me/sessions/${other?.id}`)).status).toBe(204);
    expect((await closed) - t0).toBeLessThan(1000);
    expect((await there.get('/api/me')).body.user).toBeNull();
  });
});
