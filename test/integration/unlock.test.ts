/**
 * Unlocking a locked account by a code to its confirmed e-mail or phone
 * (docs/accounts.md): offered after the login answers ACCOUNT_LOCKED, under
 * the login's limits, with a new password when the person gives one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startAuthApp, type AuthApp } from '../helpers/auth-app.js';
import { makeUser } from '../helpers/factories.js';
import { codeIn, isSignedIn, mailTo, PASSWORD, registerConfirmed, signIn, smsSoon } from '../helpers/accounts-flow.js';

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

/** A confirmed account its owner has locked (every session ended). */
async function lockedAccount() {
  const r = await registerConfirmed(app);
  expect((await r.client.post('/api/me/lock')).status).toBe(204);
  expect(await isSignedIn(r.client)).toBe(false);
  const login = await signIn(app, r.input.email);
  expect(login.reply.status).toBe(423);
  expect(login.reply.body?.error?.code).toBe('ACCOUNT_LOCKED');
  return r;
}

describe('unlock by a code', () => {
  it('sends a code to the confirmed e-mail; the code unlocks and signs in, and the old password works again', async () => {
    const { input, user } = await lockedAccount();
    const browser = new Client(app);
    const since = app.smtp.messages.length;
    const request = await browser.post('/api/auth/unlock', { login: input.email });
    expect(request.status).toBe(200);
    expect(request.body?.request).toMatchObject({ channel: 'email', sentTo: 'i***@mail.ru' });
    const mail = await mailTo(app, input.email, since);
    expect(mail.subject).toBe('Разблокировка учётной записи');
    const done = await browser.post('/api/auth/unlock/confirm', { login: input.email, requestId: request.body?.request?.requestId, code: codeIn(mail.text) });
    expect(done.status).toBe(200);
    expect(done.body?.user).toMatchObject({ id: user.id, locked: false });
    expect(await isSignedIn(browser)).toBe(true);
    expect((await signIn(app, input.email, PASSWORD)).reply.status).toBe(200);
    const journal = (await app.store.audit.list(0, 10_000)).filter((e) => e.subjectId === user.id);
    expect(journal.find((e) => e.action === 'account.unlocked')?.details).toEqual({ by: 'code', passwordChanged: false, wasLocked: true });
  });

  it('sets a new password with the unlock when one is given (SMS code), and refuses a weak one', async () => {
    const { input } = await lockedAccount();
    const browser = new Client(app);
    const since = app.sms.messages.length;
    const request = await browser.post('/api/auth/unlock', { login: input.phone });
    const code = codeIn(await smsSoon(app, input.phone, since));
    const requestId = request.body?.request?.requestId;
    const weak = await browser.post('/api/auth/unlock/confirm', { login: input.phone, requestId, code, password: 'abc' });
    expect(weak.body?.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { password: 'не короче 10 символов' } });
    const done = await browser.post('/api/auth/unlock/confirm', { login: input.phone, requestId, code, password: 'fresh secret 2027' });
    expect(done.status).toBe(200);
    expect((await signIn(app, input.email, PASSWORD)).reply.body?.error?.code).toBe('INVALID_CREDENTIALS');
    expect((await signIn(app, input.email, 'fresh secret 2027')).reply.status).toBe(200);
  });

  it('answers alike for an account that is not locked, but sends it nothing; a wrong or reused code is refused', async () => {
    const { input } = await registerConfirmed(app);
    const locked = await lockedAccount();
    const browser = new Client(app);
    const since = app.smtp.messages.length;
    const notLocked = await browser.post('/api/auth/unlock', { login: input.email });
    const real = await browser.post('/api/auth/unlock', { login: locked.input.email });
    expect(notLocked.status).toBe(real.status);
    expect(Object.keys(notLocked.body?.request ?? {})).toEqual(Object.keys(real.body?.request ?? {}));
    const mail = await mailTo(app, locked.input.email, since);
    expect(app.smtp.messages.slice(since).map((m) => m.to[0])).toEqual([locked.input.email]);

    const requestId = real.body?.request?.requestId;
    const code = codeIn(mail.text);
    const wrong = await browser.post('/api/auth/unlock/confirm', { login: locked.input.email, requestId, code: code === '111111' ? '222222' : '111111' });
    expect(wrong.body?.error?.code).toBe('CODE_INVALID');
    // Another account's login with this request id: a wrong code too.
    const crossed = await browser.post('/api/auth/unlock/confirm', { login: input.email, requestId, code });
    expect(crossed.body?.error).toEqual({ code: 'CODE_INVALID', message: 'Неверный код' });
    expect((await browser.post('/api/auth/unlock/confirm', { login: locked.input.email, requestId, code })).status).toBe(200);
    const reused = await browser.post('/api/auth/unlock/confirm', { login: locked.input.email, requestId, code });
    expect(reused.body?.error?.code).toBe('CODE_EXPIRED');
  });

  it('a recovery code cannot unlock, nor an unlock code reset the password', async () => {
    const { input } = await lockedAccount();
    const browser = new Client(app);
    let since = app.smtp.messages.length;
    const rec = await browser.post('/api/auth/recover', { login: input.email });
    const recCode = codeIn((await mailTo(app, input.email, since)).text);
    const asUnlock = await browser.post('/api/auth/unlock/confirm', { login: input.email, requestId: rec.body?.request?.requestId, code: recCode });
    expect(asUnlock.body?.error?.code).toBe('CODE_INVALID');
    since = app.smtp.messages.length;
    const unl = await browser.post('/api/auth/unlock', { login: input.email });
    const unlCode = codeIn((await mailTo(app, input.email, since)).text);
    const asReset = await browser.post('/api/auth/recover/reset', {
      login: input.email,
      requestId: unl.body?.request?.requestId,
      code: unlCode,
      password: 'fresh secret 2027',
    });
    expect(asReset.body?.error?.code).toBe('CODE_INVALID');
    expect((await signIn(app, input.email)).reply.body?.error?.code).toBe('ACCOUNT_LOCKED');
  });
});

describe("an admin's lock", () => {
  it('is not lifted by a code: neither unlock nor recovery sends one, and sign-in stays refused', async () => {
    const { input, user } = await registerConfirmed(app);
    const control = await registerConfirmed(app);
    const admin = makeUser({ role: 'admin' });
    await app.store.users.create(admin);
    await app.accounts.updateUser({ id: admin.id, role: 'admin', departmentId: null, sessionId: 'admin-session' }, user.id, { locked: true });
    expect(await app.store.users.get(user.id)).toMatchObject({ locked: true, lockedBy: 'admin' });

    const browser = new Client(app);
    const mailSince = app.smtp.messages.length;
    const smsSince = app.sms.messages.length;
    const unlock = await browser.post('/api/auth/unlock', { login: input.email });
    const recover = await browser.post('/api/auth/recover', { login: input.phone });
    expect(unlock.status).toBe(200);
    expect(recover.status).toBe(200);
    // Both answered as always. Codes leave in the background, in order: once a later request's codes
    // to another account have arrived, none went to the locked one.
    await browser.post('/api/auth/recover', { login: control.input.email });
    await browser.post('/api/auth/recover', { login: control.input.phone });
    await mailTo(app, control.input.email, mailSince);
    await smsSoon(app, control.input.phone, smsSince);
    expect(app.smtp.messages.slice(mailSince).filter((m) => m.to.includes(input.email))).toEqual([]);
    expect(app.sms.messages.slice(smsSince).filter((m) => m.to === input.phone)).toEqual([]);
    expect((await signIn(app, input.email)).reply.body?.error?.code).toBe('ACCOUNT_LOCKED');

    // An admin's unlock lifts it.
    await app.accounts.updateUser({ id: admin.id, role: 'admin', departmentId: null, sessionId: 'admin-session' }, user.id, { locked: false });
    expect(await app.store.users.get(user.id)).toMatchObject({ locked: false, lockedBy: null });
    expect((await signIn(app, input.email)).reply.status).toBe(200);
  });
});
