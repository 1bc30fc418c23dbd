/**
 * Password recovery over HTTP (docs/accounts.md): a code to the confirmed
 * e-mail or phone, the same answer for any login, the login's limits and
 * lockout, every session ended after the reset, and each refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits.js';
import { Client, startAuthApp, type AuthApp, type Reply } from '../helpers/auth-app.js';
import { codeIn, isSignedIn, mailTo, PASSWORD, registerConfirmed, registration, signIn, smsSoon } from '../helpers/accounts-flow.js';
import { randomPhone, uniq } from '../helpers/factories.js';

const LOCKOUT_SEC = 2;
let app: AuthApp;

beforeAll(async () => {
  app = await startAuthApp({
    limits: {
      loginPerIp: { points: 1000, durationSec: 60 },
      confirmPerIp: { points: 1000, durationSec: 60 },
      registerPerIp: { points: 1000, durationSec: 60 },
      loginFailuresPerAccount: { points: 5, durationSec: LOCKOUT_SEC },
    },
  });
});

afterAll(async () => {
  await app.close();
});

const NEW_PASSWORD = 'new secret words 99';

/** A reply with the request's own values (id, expiry, masked address) replaced, to compare shapes. */
function shape(reply: Reply): unknown {
  const request = reply.body?.request;
  return { status: reply.status, keys: Object.keys(reply.body ?? {}), request: request && { ...request, requestId: 'x', sentTo: 'x', expiresAt: 'x' } };
}

describe('password recovery', () => {
  it('answers the same for an account, an unknown login and an unconfirmed contact; only the account gets a code', async () => {
    const { input } = await registerConfirmed(app);
    const unconfirmed = new Client(app);
    const other = { email: `raw-${uniq()}@mail.ru`, phone: randomPhone() };
    expect((await unconfirmed.post('/api/auth/register', registration(other))).status).toBe(201);
    const nobody = `nobody-${uniq()}@mail.ru`;

    const anonymous = new Client(app);
    const since = app.smtp.messages.length;
    const known = await anonymous.post('/api/auth/recover', { login: input.email });
    const unknown = await anonymous.post('/api/auth/recover', { login: nobody });
    const notConfirmed = await anonymous.post('/api/auth/recover', { login: other.phone });
    expect(known.status).toBe(200);
    expect(shape(unknown)).toEqual(shape(known));
    expect(shape(notConfirmed)).toEqual({ ...(shape(known) as object), request: { channel: 'phone', requestId: 'x', sentTo: 'x', expiresAt: 'x' } });
    expect(known.body?.request?.sentTo).toBe('i***@mail.ru');
    expect(unknown.body?.request?.sentTo).toBe('n***@mail.ru');
    expect(known.body?.request?.expiresAt).toBe(unknown.body?.request?.expiresAt);

    const mail = await mailTo(app, input.email, since);
    expect(mail.subject).toBe('Восстановление пароля');
    expect(app.smtp.messages.slice(since).map((m) => m.to[0])).toEqual([input.email]);
    expect(app.sms.messages.filter((m) => m.to === other.phone)).toHaveLength(1); // registration's code only

    // A wrong code is answered alike for the account and the unknown login.
    const wrongKnown = await anonymous.post('/api/auth/recover/reset', {
      login: input.email,
      requestId: known.body?.request?.requestId,
      code: '000000',
      password: NEW_PASSWORD,
    });
    const wrongUnknown = await anonymous.post('/api/auth/recover/reset', {
      login: nobody,
      requestId: unknown.body?.request?.requestId,
      code: '000000',
      password: NEW_PASSWORD,
    });
    expect(wrongKnown.status).toBe(400);
    expect(wrongKnown.body).toEqual({ error: { code: 'CODE_INVALID', message: `Неверный код, осталось попыток: ${LIMITS.codeMaxAttempts - 1}` } });
    expect(wrongUnknown.status).toBe(400);
    expect(wrongUnknown.body).toEqual(wrongKnown.body);
  });

  it('resets the password by the e-mail code, ends every session of the account and signs this browser in', async () => {
    const { input, client, user } = await registerConfirmed(app);
    const laptop = await signIn(app, input.email);
    expect(await isSignedIn(laptop.client)).toBe(true);

    const browser = new Client(app);
    const since = app.smtp.messages.length;
    const request = await browser.post('/api/auth/recover', { login: input.email.toUpperCase() });
    const code = codeIn((await mailTo(app, input.email, since)).text);
    const eventsBefore = app.events.length;
    const reset = await browser.post('/api/auth/recover/reset', {
      login: input.email,
      requestId: request.body?.request?.requestId,
      code,
      password: NEW_PASSWORD,
    });
    expect(reset.status).toBe(200);
    expect(reset.body?.user).toMatchObject({ id: user.id, locked: false });
    expect(await isSignedIn(browser)).toBe(true);
    expect(await isSignedIn(client)).toBe(false);
    expect(await isSignedIn(laptop.client)).toBe(false);
    const ended = app.events.slice(eventsBefore).find((e) => e.type === 'session.ended');
    expect(ended).toMatchObject({ userId: user.id });
    expect((ended as { sessionIds: string[] }).sessionIds).toHaveLength(2);

    expect((await signIn(app, input.email)).reply.body?.error?.code).toBe('INVALID_CREDENTIALS');
    expect((await signIn(app, input.phone, NEW_PASSWORD)).reply.status).toBe(200);
    const journal = (await app.store.audit.list(0, 10_000)).filter((e) => e.subjectId === user.id).map((e) => e.action);
    expect(journal).toEqual(expect.arrayContaining(['account.recovery_requested', 'account.password_reset']));
  });

  it('resets by a code sent by SMS when the login is the phone', async () => {
    const { input } = await registerConfirmed(app);
    const browser = new Client(app);
    const since = app.sms.messages.length;
    const request = await browser.post('/api/auth/recover', { login: `8${input.phone.slice(2)}` });
    expect(request.body?.request?.channel).toBe('phone');
    const text = await smsSoon(app, input.phone, since);
    expect(text).toContain('восстановления пароля');
    const reset = await browser.post('/api/auth/recover/reset', {
      login: input.phone,
      requestId: request.body?.request?.requestId,
      code: codeIn(text),
      password: NEW_PASSWORD,
    });
    expect(reset.status).toBe(200);
  });

  it('refuses a weak new password (keeping the code), a wrong code, a reused code and an expired one', async () => {
    const { input } = await registerConfirmed(app);
    const browser = new Client(app);
    let since = app.smtp.messages.length;
    const request = await browser.post('/api/auth/recover', { login: input.email });
    const code = codeIn((await mailTo(app, input.email, since)).text);
    const requestId = request.body?.request?.requestId;

    const weak = await browser.post('/api/auth/recover/reset', { login: input.email, requestId, code, password: 'short1' });
    expect(weak.status).toBe(400);
    expect(weak.body?.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { password: 'не короче 10 символов' } });
    const letters = await browser.post('/api/auth/recover/reset', { login: input.email, requestId, code, password: 'onlylettersandmore' });
    expect(letters.body?.error?.fields?.password).toBe('пароль должен содержать буквы и цифры');

    const wrong = await browser.post('/api/auth/recover/reset', {
      login: input.email,
      requestId,
      code: code === '123456' ? '654321' : '123456',
      password: NEW_PASSWORD,
    });
    expect(wrong.body?.error).toEqual({ code: 'CODE_INVALID', message: `Неверный код, осталось попыток: ${LIMITS.codeMaxAttempts - 1}` });

    expect((await browser.post('/api/auth/recover/reset', { login: input.email, requestId, code, password: NEW_PASSWORD })).status).toBe(200);
    const reused = await browser.post('/api/auth/recover/reset', { login: input.email, requestId, code, password: 'another one 12345' });
    expect(reused.status).toBe(410);
    expect(reused.body?.error).toEqual({ code: 'CODE_EXPIRED', message: 'Срок действия кода истёк или он уже использован, запросите новый' });

    since = app.smtp.messages.length;
    const again = await browser.post('/api/auth/recover', { login: input.email });
    const code2 = codeIn((await mailTo(app, input.email, since)).text);
    app.clock.advance(LIMITS.codeTtlMs + 1);
    const expired = await browser.post('/api/auth/recover/reset', {
      login: input.email,
      requestId: again.body?.request?.requestId,
      code: code2,
      password: 'another one 12345',
    });
    expect(expired.status).toBe(410);
    expect(expired.body?.error?.code).toBe('CODE_EXPIRED');
    expect((await signIn(app, input.email, NEW_PASSWORD)).reply.status).toBe(200);
  });

  it('counts wrong codes as failed logins: after 5 the account is locked out of login and recovery alike, even with the right code, until the window passes', async () => {
    const { input } = await registerConfirmed(app);
    const browser = new Client(app);
    const since = app.smtp.messages.length;
    const request = await browser.post('/api/auth/recover', { login: input.email });
    const code = codeIn((await mailTo(app, input.email, since)).text);
    const requestId = request.body?.request?.requestId;
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++) {
      const r = await browser.post('/api/auth/recover/reset', { login: input.email, requestId, code: wrong, password: NEW_PASSWORD });
      expect(r.body?.error?.code).toBe(i < 4 ? 'CODE_INVALID' : 'CODE_EXHAUSTED');
    }
    const locked = await browser.post('/api/auth/recover/reset', { login: input.email, requestId, code, password: NEW_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body?.error?.code).toBe('RATE_LIMITED');
    expect((await browser.post('/api/auth/recover', { login: input.email })).body?.error?.code).toBe('RATE_LIMITED');
    expect((await signIn(app, input.email)).reply.body?.error?.code).toBe('RATE_LIMITED');

    // An unknown login is locked out the same way.
    const nobody = `nobody-${uniq()}@mail.ru`;
    const fake = await browser.post('/api/auth/recover', { login: nobody });
    for (let i = 0; i < 5; i++) {
      const r = await browser.post('/api/auth/recover/reset', { login: nobody, requestId: fake.body?.request?.requestId, code: wrong, password: NEW_PASSWORD });
      expect(r.body?.error?.code).toBe(i < 4 ? 'CODE_INVALID' : 'CODE_EXHAUSTED');
    }
    expect((await browser.post('/api/auth/recover', { login: nobody })).body?.error?.code).toBe('RATE_LIMITED');

    await expect
      .poll(async () => (await browser.post('/api/auth/recover', { login: input.email })).status, { timeout: (LOCKOUT_SEC + 3) * 1000, interval: 250 })
      .toBe(200);
  });

  it('spends the client IP login budget on each request and answer', async () => {
    const small = await startAuthApp({ limits: { loginPerIp: { points: 3, durationSec: 60 }, registerPerIp: { points: 100, durationSec: 60 } } });
    try {
      const c = new Client(small);
      expect((await c.post('/api/auth/recover', { login: 'a@mail.ru' })).status).toBe(200);
      expect((await c.post('/api/auth/recover', { login: 'b@mail.ru' })).status).toBe(200);
      expect((await c.post('/api/auth/login', { login: 'c@mail.ru', password: PASSWORD })).status).toBe(401);
      const limited = await c.post('/api/auth/recover/reset', { login: 'a@mail.ru', requestId: 'req-0000000000', code: '123456', password: NEW_PASSWORD });
      expect(limited.status).toBe(429);
      expect(limited.body?.error?.code).toBe('RATE_LIMITED');
    } finally {
      await small.close();
    }
  });
});
