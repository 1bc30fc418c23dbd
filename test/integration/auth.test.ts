/**
 * The accounts HTTP surface end to end: a real Express app on 127.0.0.1 port 0
 * over the real SQLite store; e-mail codes travel through nodemailer to a real
 * SMTP server (smtp-server) on loopback; SMS codes through the real HTTP SMS
 * adapter to a tiny local HTTP server standing in for the provider's gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits.js';
import { sessionIdOf } from '../../server/domain/accounts/sessions.js';
import { Client, startAuthApp, type AuthApp, type Reply } from '../helpers/auth-app.js';
import { makeDepartment, randomPhone, uniq } from '../helpers/factories.js';
import { INITIAL_CONSENT } from '../../server/domain/accounts/consent.js';

const LOCKOUT_SEC = 2;
let app: AuthApp;
const department = makeDepartment();
let seeded: Awaited<ReturnType<AuthApp['accounts']['seedDemo']>>;

beforeAll(async () => {
  app = await startAuthApp({
    limits: {
      // Every test comes from 127.0.0.1: per-IP budgets are raised; the per-account lockout window shortened.
      loginPerIp: { points: 1000, durationSec: 60 },
      confirmPerIp: { points: 1000, durationSec: 60 },
      registerPerIp: { points: 1000, durationSec: 60 },
      loginFailuresPerAccount: { points: 5, durationSec: LOCKOUT_SEC },
    },
  });
  // Demo accounts are seeded only into an empty store, so before any test registers.
  await app.store.catalogue.createDepartment(department);
  seeded = await app.accounts.seedDemo([department]);
});

afterAll(async () => {
  await app.close();
});

/** The stored session id of a `cr_session=<token>` cookie pair. */
function sessionIdOfCookie(cookie: string | undefined): string {
  const token = cookie?.split('=')[1];
  if (!token) throw new Error('no session cookie');
  return sessionIdOf(decodeURIComponent(token));
}

function registration(overrides: Record<string, unknown> = {}) {
  return {
    email: `ivan-${uniq()}@mail.ru`,
    phone: randomPhone(),
    password: 'correct horse 42',
    fullName: 'Иванов Иван Иванович',
    birthDate: '1985-04-12',
    inn: '500100732259',
    address: 'г. Москва, ул. Тверская, д. 1',
    consentVersion: INITIAL_CONSENT.version,
    ...overrides,
  };
}

const codeIn = (text: string): string => {
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error('no code in the message');
  return code;
};

function smsTo(phone: string, since: number): string {
  // The adapter awaits the gateway's answer before register replies, so the message is already here.
  const msg = app.sms.messages.slice(since).find((m) => m.to === phone);
  if (!msg) throw new Error(`no SMS to ${phone}`);
  expect(msg.authorization).toBe(`Bearer ${app.sms.token}`);
  return codeIn(msg.text);
}

function requestIdOf(reply: Reply, channel: 'email' | 'phone'): string {
  const id = reply.body?.codes?.find((c) => c.channel === channel)?.requestId;
  if (!id) throw new Error(`no ${channel} request in the reply`);
  return id;
}

/** Registers through the API and collects both codes where they arrived. */
async function register(client: Client, overrides: Record<string, unknown> = {}) {
  const input = registration(overrides);
  const mailSince = app.smtp.messages.length;
  const smsSince = app.sms.messages.length;
  const reply = await client.post('/api/auth/register', input);
  expect(reply.status).toBe(201);
  const mail = await app.smtp.waitFor(input.email, mailSince);
  return {
    input,
    reply,
    email: { requestId: requestIdOf(reply, 'email'), code: codeIn(mail.text), subject: mail.subject },
    phone: { requestId: requestIdOf(reply, 'phone'), code: smsTo(input.phone, smsSince) },
  };
}

async function registerConfirmed(client: Client) {
  const r = await register(client);
  expect((await client.post('/api/auth/confirm', r.email)).status).toBe(200);
  expect((await client.post('/api/auth/confirm', r.phone)).status).toBe(200);
  return r;
}

describe('registration and confirmation', () => {
  it('registers, delivers both codes, rotates the session at each confirmation and then opens the API', async () => {
    const client = new Client(app);
    const r = await register(client);
    expect(r.reply.body?.user).toMatchObject({ email: r.input.email, emailConfirmed: false, phoneConfirmed: false });
    expect(r.reply.body?.codes?.map((c) => c.sentTo).sort()).toEqual([
      expect.stringMatching(/^\+7 \*\*\* \*\*\*-\d\d-\d\d$/),
      expect.stringMatching(/^i\*\*\*@mail\.ru$/),
    ]);
    expect(r.email.subject).toBe('Код подтверждения');
    const setCookie = r.reply.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(JSON.stringify(r.reply.body)).not.toContain(r.email.code);

    // Unconfirmed: may read itself, but the rest of the API is closed.
    expect((await client.get('/api/me')).body?.user?.emailConfirmed).toBe(false);
    expect((await client.put('/api/me/privacy', { expertsSeeContacts: true })).body?.error?.code).toBe('ACCOUNT_NOT_CONFIRMED');

    const cookie0 = client.cookie;
    const c1 = await client.post('/api/auth/confirm', r.email);
    expect(c1.status).toBe(200);
    expect(c1.body?.user).toMatchObject({ emailConfirmed: true, phoneConfirmed: false });
    expect(client.cookie).not.toBe(cookie0);
    const stale = new Client(app);
    stale.cookie = cookie0;
    expect((await stale.get('/api/me')).body).toEqual({ user: null });

    const cookie1 = client.cookie;
    const c2 = await client.post('/api/auth/confirm', r.phone);
    expect(c2.body?.user).toMatchObject({ emailConfirmed: true, phoneConfirmed: true });
    expect(client.cookie).not.toBe(cookie1);
    stale.cookie = cookie1;
    expect((await stale.get('/api/me')).body).toEqual({ user: null });

    const me = await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body?.csrfToken).toBe(c2.body?.csrfToken);
    expect(me.body?.user).toMatchObject({ id: r.reply.body?.user?.id, emailConfirmed: true, phoneConfirmed: true });
    expect(me.body?.user).not.toHaveProperty('passwordHash');
    const privacy = await client.put('/api/me/privacy', { expertsSeeContacts: true });
    expect(privacy.body?.user?.expertsSeeContacts).toBe(true);
  });

  it('ends in CODE_EXHAUSTED after 5 wrong codes, and the right one no longer works', async () => {
    const client = new Client(app);
    const r = await register(client);
    const wrong = r.email.code === '000000' ? '111111' : '000000';
    const codes: string[] = [];
    for (let i = 0; i < LIMITS.codeMaxAttempts; i++) {
      const reply = await client.post('/api/auth/confirm', { requestId: r.email.requestId, code: wrong });
      codes.push(reply.body?.error?.code ?? '');
      if (i === 0) expect(reply.body?.error?.message).toContain(String(LIMITS.codeMaxAttempts - 1));
    }
    expect(codes).toEqual(['CODE_INVALID', 'CODE_INVALID', 'CODE_INVALID', 'CODE_INVALID', 'CODE_EXHAUSTED']);
    const right = await client.post('/api/auth/confirm', r.email);
    expect(right.status).toBe(429);
    expect(right.body?.error?.code).toBe('CODE_EXHAUSTED');
  });

  it('refuses an expired code with CODE_EXPIRED, and a resent code works', async () => {
    const client = new Client(app);
    const r = await register(client);
    app.clock.advance(LIMITS.codeTtlMs + 1000);
    const late = await client.post('/api/auth/confirm', r.phone);
    expect(late.status).toBe(410);
    expect(late.body?.error?.code).toBe('CODE_EXPIRED');

    const since = app.sms.messages.length;
    const resent = await client.post('/api/auth/resend', { channel: 'phone' });
    expect(resent.status).toBe(200);
    const requestId = resent.body?.request?.requestId ?? '';
    const ok = await client.post('/api/auth/confirm', { requestId, code: smsTo(r.input.phone, since) });
    expect(ok.body?.user?.phoneConfirmed).toBe(true);
  });

  it('refuses a code used once already', async () => {
    const client = new Client(app);
    const r = await register(client);
    expect((await client.post('/api/auth/confirm', r.email)).status).toBe(200);
    const again = await client.post('/api/auth/confirm', r.email);
    expect(again.body?.error?.code).toBe('CODE_EXPIRED');
  });

  it("does not accept another user's request id", async () => {
    const alice = new Client(app);
    const bob = new Client(app);
    const a = await register(alice);
    await register(bob);
    const reply = await bob.post('/api/auth/confirm', a.email);
    expect(reply.body?.error?.code).toBe('CODE_INVALID');
  });

  it('names the field of a bad ИНН and of a taken e-mail', async () => {
    const client = new Client(app);
    const bad = await client.post('/api/auth/register', registration({ inn: '500100732258' }));
    expect(bad.status).toBe(400);
    expect(bad.body?.error?.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(bad.body?.error?.fields ?? {})).toEqual(['inn']);

    const r = await register(new Client(app));
    const dup = await new Client(app).post('/api/auth/register', registration({ email: r.input.email }));
    expect(dup.status).toBe(409);
    expect(dup.body?.error).toMatchObject({ code: 'ALREADY_EXISTS', fields: { email: expect.any(String) } });
  });
});

describe('login', () => {
  it('locks an account out after 5 wrong passwords, refusing even the right one until the window passes', async () => {
    const r = await registerConfirmed(new Client(app));
    const client = new Client(app);
    for (let i = 0; i < 5; i++) {
      const reply = await client.post('/api/auth/login', { login: r.input.email, password: `wrong password ${i}` });
      expect(reply.body?.error?.code).toBe('INVALID_CREDENTIALS');
    }
    const blocked = await client.post('/api/auth/login', { login: r.input.email, password: r.input.password });
    expect(blocked.status).toBe(429);
    expect(blocked.body?.error?.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(client.cookie).toBeUndefined();

    await new Promise((resolve) => setTimeout(resolve, LOCKOUT_SEC * 1000 + 200));
    const ok = await client.post('/api/auth/login', { login: r.input.phone, password: r.input.password });
    expect(ok.status).toBe(200);
    expect(ok.body?.user?.email).toBe(r.input.email);
    expect((await client.get('/api/me')).status).toBe(200);
  });

  it('counts failures per account: 5 wrong by e-mail lock the phone too, and no 6th guess is allowed by either', async () => {
    const r = await registerConfirmed(new Client(app));
    const client = new Client(app);
    for (let i = 0; i < 5; i++) {
      expect((await client.post('/api/auth/login', { login: r.input.email, password: `wrong password ${i}` })).body?.error?.code).toBe('INVALID_CREDENTIALS');
    }
    const byPhone = await client.post('/api/auth/login', { login: r.input.phone, password: r.input.password });
    expect(byPhone.status).toBe(429);
    expect(byPhone.body?.error?.code).toBe('RATE_LIMITED');
    const guess = await client.post('/api/auth/login', { login: r.input.phone, password: 'wrong password 6' });
    expect(guess.status).toBe(429);
    const upper = await client.post('/api/auth/login', { login: r.input.email.toUpperCase(), password: r.input.password });
    expect(upper.status).toBe(429);
    expect(client.cookie).toBeUndefined();
  });

  it('counts failures per login string when it matches no account', async () => {
    const client = new Client(app);
    const nobody = `nobody-${uniq()}@mail.ru`;
    for (let i = 0; i < 5; i++) expect((await client.post('/api/auth/login', { login: nobody, password: `guess number ${i}` })).status).toBe(401);
    expect((await client.post('/api/auth/login', { login: nobody, password: 'guess number 6' })).status).toBe(429);
  });

  it('answers the same for an unknown login and a wrong password', async () => {
    const r = await registerConfirmed(new Client(app));
    const client = new Client(app);
    const unknown = await client.post('/api/auth/login', { login: `nobody-${uniq()}@mail.ru`, password: r.input.password });
    const wrong = await client.post('/api/auth/login', { login: r.input.email, password: 'not the password 1' });
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('refuses operator-style bodies with VALIDATION_FAILED', async () => {
    const client = new Client(app);
    const reply = await client.post('/api/auth/login', { login: { $ne: null }, password: { $ne: null } });
    expect(reply.status).toBe(400);
    expect(reply.body?.error?.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(reply.body?.error?.fields ?? {}).sort()).toEqual(['login', 'password']);
    const broken = await client.request('POST', '/api/auth/login', '{"login": ');
    expect(broken.body?.error?.code).toBe('VALIDATION_FAILED');
  });
});

describe('CSRF', () => {
  it('refuses a state-changing request without Origin or from another origin', async () => {
    const client = new Client(app);
    const body = { login: 'someone@mail.ru', password: 'whatever 1' };
    for (const origin of [null, 'https://evil.example']) {
      const reply = await client.post('/api/auth/login', body, { origin });
      expect(reply.status).toBe(403);
      expect(reply.body?.error?.code).toBe('CSRF_FAILED');
    }
  });

  it('refuses a request of a signed-in client without the CSRF token', async () => {
    const client = new Client(app);
    await registerConfirmed(client);
    const reply = await client.post('/api/auth/logout', {}, { csrf: false });
    expect(reply.status).toBe(403);
    expect(reply.body?.error?.code).toBe('CSRF_FAILED');
    expect((await client.get('/api/me')).status).toBe(200);
  });
});

describe('who is signed in', () => {
  it('GET /api/me answers 200 with user null for nobody (no console error on a page load); other routes still answer 401', async () => {
    const anonymous = new Client(app);
    const me = await anonymous.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: null });
    const mine = await anonymous.get('/api/admin/users');
    expect(mine.status).toBe(401);
    expect(mine.body?.error?.code).toBe('UNAUTHENTICATED');
  });
});

describe('ending sessions', () => {
  it('logout invalidates the session on the server, not only the cookie', async () => {
    const client = new Client(app);
    await registerConfirmed(client);
    const cookie = client.cookie;
    const out = await client.post('/api/auth/logout');
    expect(out.status).toBe(204);
    expect(client.cookie).toBeUndefined();
    const replay = new Client(app);
    replay.cookie = cookie;
    expect((await replay.get('/api/me')).body).toEqual({ user: null });
  });

  for (const who of ['the same person', 'another person'] as const) {
    it(`a login as ${who} with a valid session cookie ends that session and its connections`, async () => {
      const client = new Client(app);
      const a = await registerConfirmed(client);
      const b = who === 'the same person' ? a : await registerConfirmed(new Client(app));
      const old = client.cookie;
      const oldId = sessionIdOfCookie(old);
      const reply = await client.post('/api/auth/login', { login: b.input.email, password: b.input.password });
      expect(reply.status).toBe(200);
      expect(client.cookie).not.toBe(old);
      const replay = new Client(app);
      replay.cookie = old;
      expect((await replay.get('/api/me')).body).toEqual({ user: null });
      expect(app.events.some((e) => e.type === 'session.ended' && e.sessionIds.includes(oldId))).toBe(true);
      expect((await client.get('/api/me')).body?.user?.email).toBe(b.input.email);
    });
  }

  it('a failed login leaves the presented session as it was', async () => {
    const client = new Client(app);
    const a = await registerConfirmed(client);
    expect((await client.post('/api/auth/login', { login: a.input.email, password: 'not the password 1' })).status).toBe(401);
    expect((await client.get('/api/me')).status).toBe(200);
  });

  it('a registration sent with a valid session ends that session', async () => {
    const client = new Client(app);
    await registerConfirmed(client);
    const old = client.cookie;
    const oldId = sessionIdOfCookie(old);
    await register(client);
    const replay = new Client(app);
    replay.cookie = old;
    expect((await replay.get('/api/me')).body).toEqual({ user: null });
    expect(app.events.some((e) => e.type === 'session.ended' && e.sessionIds.includes(oldId))).toBe(true);
  });

  it('locking the account ends every session and refuses further logins', async () => {
    const first = new Client(app);
    const r = await registerConfirmed(first);
    const second = new Client(app);
    expect((await second.post('/api/auth/login', { login: r.input.email, password: r.input.password })).status).toBe(200);
    const userId = (await first.get('/api/me')).body?.user?.id;

    expect((await second.post('/api/me/lock')).status).toBe(204);
    expect((await first.get('/api/me')).body).toEqual({ user: null });
    expect((await second.get('/api/me')).body).toEqual({ user: null });
    const ended = app.events.flatMap((e) => (e.type === 'session.ended' && e.userId === userId ? [e.sessionIds] : []));
    expect(ended.at(-1)).toHaveLength(2);
    const again = await new Client(app).post('/api/auth/login', { login: r.input.email, password: r.input.password });
    expect(again.status).toBe(423);
    expect(again.body?.error?.code).toBe('ACCOUNT_LOCKED');
  });
});

describe('admin users', () => {
  it('is for admins only; an admin creates an operator and locking them ends their session', async () => {
    const dep = department;

    const citizen = new Client(app);
    await registerConfirmed(citizen);
    expect((await citizen.get('/api/admin/users')).body?.error?.code).toBe('FORBIDDEN');

    const admin = new Client(app);
    const adminSeed = seeded.find((s) => s.role === 'admin')!;
    expect((await admin.post('/api/auth/login', { login: adminSeed.login, password: adminSeed.password })).status).toBe(200);
    const input = { email: `op-${uniq()}@mail.ru`, phone: randomPhone(), password: 'operator pass 1', fullName: 'Петров Пётр', role: 'operator' };
    const noDep = await admin.post('/api/admin/users', input);
    expect(noDep.body?.error?.fields).toHaveProperty('departmentId');
    const created = await admin.post('/api/admin/users', { ...input, departmentId: dep.id });
    expect(created.status).toBe(201);
    const id = created.body?.user?.id ?? '';

    const operator = new Client(app);
    expect((await operator.post('/api/auth/login', { login: input.email, password: input.password })).status).toBe(200);
    const list = await admin.get(`/api/admin/users?role=operator&departmentId=${dep.id}`);
    expect(list.body?.items?.map((u) => u.id)).toContain(id);
    // Search by a part of the name (any case) or of the e-mail.
    const byName = await admin.get(`/api/admin/users?search=${encodeURIComponent('пЕтРоВ п')}`);
    expect(byName.body?.items?.map((u) => u.id)).toEqual([id]);
    const byEmail = await admin.get(`/api/admin/users?search=${encodeURIComponent(input.email.slice(0, 12).toUpperCase())}`);
    expect(byEmail.body?.items?.map((u) => u.id)).toEqual([id]);
    expect((await admin.get(`/api/admin/users?search=${'x'.repeat(101)}`)).body?.error?.code).toBe('VALIDATION_FAILED');

    const locked = await admin.patch(`/api/admin/users/${id}`, { locked: true });
    expect(locked.body?.user?.locked).toBe(true);
    expect((await operator.get('/api/me')).body).toEqual({ user: null });
    expect((await admin.patch('/api/admin/users/no-such-user-id', { locked: true })).status).toBe(404);
  });
});
