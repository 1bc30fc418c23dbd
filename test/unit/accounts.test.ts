/**
 * AccountServiceImpl against the real SQLite store in a temp dir, with a
 * ManualClock for expiry. Mail and SMS are captured in memory here (the real
 * SMTP and HTTP adapters are exercised in test/integration/auth.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits.js';
import { isValidInn } from '../../shared/schemas/common.schema.js';
import { DevOutbox } from '../../server/channels/dev-outbox.js';
import { AccountServiceImpl, type AccountServiceOptions } from '../../server/domain/accounts/account.service.js';
import type { IssuedSession } from '../../server/domain/accounts/account.types.js';
import { maskEmail, maskPhone } from '../../server/domain/accounts/mask.js';
import { randomPersonalInn } from '../../server/domain/accounts/seed.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { DomainError } from '../../server/domain/errors.js';
import { LocalBus, type DomainEvent } from '../../server/domain/events.js';
import type { Viewer } from '../../server/domain/viewer.js';
import { ManualClock } from '../../server/lib/clock.js';
import { createLogger, type Logger } from '../../server/lib/logger.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { makeDepartment, randomPhone, uniq } from '../helpers/factories.js';
import { INITIAL_CONSENT } from '../../server/domain/accounts/consent.js';

interface Sent {
  channel: 'email' | 'sms';
  to: string;
  text: string;
}

const IP = '203.0.113.7';

let dir: string;
let store: Store;
let clock: ManualClock;
let sent: Sent[];
let events: DomainEvent[];
let audit: AuditService;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'accounts-'));
  store = await openSqliteStore({ dataDir: dir });
  clock = new ManualClock();
  sent = [];
  events = [];
  audit = new AuditService(store, clock);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function service(options: AccountServiceOptions = {}): AccountServiceImpl {
  const bus = new LocalBus();
  bus.subscribe((e) => events.push(e));
  return new AccountServiceImpl(
    {
      store,
      clock,
      secret: 'unit-test-secret-unit-test-secret-0123',
      mail: {
        send: (to, _subject, text) => {
          sent.push({ channel: 'email', to, text });
          return Promise.resolve();
        },
      },
      sms: {
        send: (to, text) => {
          sent.push({ channel: 'sms', to, text });
          return Promise.resolve();
        },
      },
      audit,
      bus,
      logger: createLogger('silent'),
    },
    options,
  );
}

function registration(overrides: Record<string, string> = {}) {
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

/** The last code sent to `to`. */
function codeFor(to: string): string {
  const msg = sent.filter((m) => m.to === to).at(-1);
  const code = /\b(\d{6})\b/.exec(msg?.text ?? '')?.[1];
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError, the call succeeded');
}

const wrongOf = (code: string): string => (code === '000000' ? '111111' : '000000');

async function registered(accounts: AccountServiceImpl) {
  const input = registration();
  const { session, codes } = await accounts.register(input, IP);
  const email = codes.find((c) => c.channel === 'email')!;
  const phone = codes.find((c) => c.channel === 'phone')!;
  return { input, session, email, phone };
}

async function viewerOf(accounts: AccountServiceImpl, s: IssuedSession): Promise<Viewer> {
  const resolved = await accounts.resolveSession(s.token);
  if (!resolved) throw new Error('session does not resolve');
  return resolved.viewer;
}

describe('registration', () => {
  it('creates an unconfirmed citizen, sends both codes to masked destinations and audits ids only', async () => {
    const accounts = service();
    const { input, session, email, phone } = await registered(accounts);
    expect(session.user).toMatchObject({ role: 'citizen', emailConfirmed: false, phoneConfirmed: false, locked: false });
    expect(email.sentTo).toBe(maskEmail(input.email));
    expect(phone.sentTo).toBe(maskPhone(input.phone));
    expect(sent.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    const stored = await store.users.get(session.user.id);
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$/);
    expect(stored?.passwordHash.split('$')[3]?.split(',').sort()).toEqual(['m=19456', 'p=1', 't=2']);
    const journal = JSON.stringify(await store.audit.list(0, 100));
    expect(journal).toContain('account.registered');
    for (const secret of [input.email, input.phone, input.fullName, input.password, codeFor(input.email)]) expect(journal).not.toContain(secret);
  });

  it('refuses a taken e-mail or phone with ALREADY_EXISTS naming the field', async () => {
    const accounts = service();
    const first = registration();
    await accounts.register(first, IP);
    const byEmail = await rejection(accounts.register(registration({ email: first.email }), IP));
    expect(byEmail.code).toBe('ALREADY_EXISTS');
    expect(Object.keys(byEmail.fields ?? {})).toEqual(['email']);
    const byPhone = await rejection(accounts.register(registration({ phone: first.phone }), IP));
    expect(byPhone.code).toBe('ALREADY_EXISTS');
    expect(Object.keys(byPhone.fields ?? {})).toEqual(['phone']);
  });

  it('limits registrations per IP', async () => {
    const accounts = service({ limits: { registerPerIp: { points: 2, durationSec: 60 } } });
    await accounts.register(registration(), IP);
    await accounts.register(registration(), IP);
    const err = await rejection(accounts.register(registration(), IP));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfter).toBeGreaterThan(0);
    await accounts.register(registration(), '198.51.100.1');
  });
});

describe('confirmation codes', () => {
  it('confirms both contacts and replaces the session id at each step', async () => {
    const accounts = service();
    const { input, session, email, phone } = await registered(accounts);
    const s1 = await accounts.confirmCode(session.token, email.requestId, codeFor(input.email), IP);
    expect(s1.token).not.toBe(session.token);
    expect(await accounts.resolveSession(session.token)).toBeNull();
    expect(s1.user).toMatchObject({ emailConfirmed: true, phoneConfirmed: false });
    expect(events).toContainEqual(expect.objectContaining({ type: 'session.ended', userId: session.user.id }));
    const s2 = await accounts.confirmCode(s1.token, phone.requestId, codeFor(input.phone), IP);
    expect(await accounts.resolveSession(s1.token)).toBeNull();
    const resolved = await accounts.resolveSession(s2.token);
    expect(resolved?.user).toMatchObject({ emailConfirmed: true, phoneConfirmed: true });
    expect(resolved?.csrfToken).toBe(s2.csrfToken);
  });

  it('counts wrong codes down and ends in CODE_EXHAUSTED, after which even the right code fails', async () => {
    const accounts = service();
    const { input, session, email } = await registered(accounts);
    const right = codeFor(input.email);
    for (let left = LIMITS.codeMaxAttempts - 1; left > 0; left--) {
      const err = await rejection(accounts.confirmCode(session.token, email.requestId, wrongOf(right), IP));
      expect(err.code).toBe('CODE_INVALID');
      expect(err.message).toContain(String(left));
    }
    expect((await rejection(accounts.confirmCode(session.token, email.requestId, wrongOf(right), IP))).code).toBe('CODE_EXHAUSTED');
    expect((await rejection(accounts.confirmCode(session.token, email.requestId, right, IP))).code).toBe('CODE_EXHAUSTED');
  });

  it('refuses an expired code and a reused one with CODE_EXPIRED', async () => {
    const accounts = service();
    const { input, session, email, phone } = await registered(accounts);
    const s1 = await accounts.confirmCode(session.token, email.requestId, codeFor(input.email), IP);
    expect((await rejection(accounts.confirmCode(s1.token, email.requestId, codeFor(input.email), IP))).code).toBe('CODE_EXPIRED');
    clock.advance(LIMITS.codeTtlMs + 1);
    expect((await rejection(accounts.confirmCode(s1.token, phone.requestId, codeFor(input.phone), IP))).code).toBe('CODE_EXPIRED');
  });

  it("answers another user's request id like a wrong code", async () => {
    const accounts = service();
    const a = await registered(accounts);
    const b = await registered(accounts);
    const err = await rejection(accounts.confirmCode(b.session.token, a.email.requestId, codeFor(a.input.email), IP));
    expect(err.code).toBe('CODE_INVALID');
    expect((await store.codes.get(a.email.requestId))?.attempts).toBe(0);
  });

  it('sends at most 5 codes per channel per hour', async () => {
    const accounts = service();
    const { session } = await registered(accounts);
    const viewer = await viewerOf(accounts, session);
    for (let i = 0; i < 4; i++) await accounts.resendCode(viewer, 'phone', IP);
    const err = await rejection(accounts.resendCode(viewer, 'phone', IP));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfter).toBeGreaterThan(0);
    await accounts.resendCode(viewer, 'email', IP);
    clock.advance(60 * 60 * 1000 + 1);
    await accounts.resendCode(viewer, 'phone', IP);
  });

  it('limits confirmation attempts per IP', async () => {
    const accounts = service({ limits: { confirmPerIp: { points: 2, durationSec: 60 } } });
    const { session, email } = await registered(accounts);
    await rejection(accounts.confirmCode(session.token, email.requestId, '000001', IP));
    await rejection(accounts.confirmCode(session.token, email.requestId, '000002', IP));
    expect((await rejection(accounts.confirmCode(session.token, email.requestId, '000003', IP))).code).toBe('RATE_LIMITED');
  });
});

describe('login and sessions', () => {
  it('answers INVALID_CREDENTIALS alike for an unknown login and a wrong password', async () => {
    const accounts = service();
    const { input } = await registered(accounts);
    const unknown = await rejection(accounts.login('nobody@mail.ru', input.password, IP));
    const wrong = await rejection(accounts.login(input.email, 'wrong password 1', IP));
    expect([unknown.code, wrong.code]).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS']);
    expect(unknown.message).toBe(wrong.message);
  });

  it('accepts the e-mail in any case and the phone in 8XXXXXXXXXX form', async () => {
    const accounts = service();
    const { input } = await registered(accounts);
    await accounts.login(input.email.toUpperCase(), input.password, IP);
    const s = await accounts.login(`8${input.phone.slice(2)}`, input.password, IP);
    expect(s.user.email).toBe(input.email);
  });

  it('locks an account out for the window after 5 failures, even for the right password', async () => {
    const accounts = service({ limits: { loginFailuresPerAccount: { points: 5, durationSec: 1 } } });
    const { input } = await registered(accounts);
    for (let i = 0; i < 5; i++) expect((await rejection(accounts.login(input.email, `wrong pass ${i}x`, IP))).code).toBe('INVALID_CREDENTIALS');
    const blocked = await rejection(accounts.login(input.email, input.password, IP));
    expect(blocked.code).toBe('RATE_LIMITED');
    expect(blocked.retryAfter).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1100));
    await accounts.login(input.email, input.password, IP);
  });

  it('limits login attempts per IP', async () => {
    const accounts = service({ limits: { loginPerIp: { points: 3, durationSec: 60 } } });
    const { input } = await registered(accounts);
    for (let i = 0; i < 3; i++) await rejection(accounts.login(`x${i}@mail.ru`, 'whatever 1', IP));
    expect((await rejection(accounts.login(input.email, input.password, IP))).code).toBe('RATE_LIMITED');
    await accounts.login(input.email, input.password, '198.51.100.9');
  });

  it('refuses a locked account with ACCOUNT_LOCKED, but only after the right password', async () => {
    const accounts = service();
    const { input, session } = await registered(accounts);
    await accounts.lockSelf(await viewerOf(accounts, session));
    expect((await rejection(accounts.login(input.email, 'wrong password 9', IP))).code).toBe('INVALID_CREDENTIALS');
    expect((await rejection(accounts.login(input.email, input.password, IP))).code).toBe('ACCOUNT_LOCKED');
  });

  it('expires sessions after the TTL without use and slides the expiry on use', async () => {
    const accounts = service({ sessionTtlMs: 10 * 60_000 });
    const { input } = await registered(accounts);
    const s = await accounts.login(input.email, input.password, IP);
    clock.advance(9 * 60_000);
    expect(await accounts.resolveSession(s.token)).not.toBeNull();
    clock.advance(9 * 60_000); // 18 min after login, 9 after last use
    expect(await accounts.resolveSession(s.token)).not.toBeNull();
    clock.advance(10 * 60_000 + 1);
    expect(await accounts.resolveSession(s.token)).toBeNull();
  });

  it('stores only the hash of the cookie token', async () => {
    const accounts = service();
    const { input } = await registered(accounts);
    const s = await accounts.login(input.email, input.password, IP);
    expect(await store.sessions.get(s.token)).toBeNull();
    const viewer = await viewerOf(accounts, s);
    expect(viewer.sessionId).not.toBe(s.token);
    expect(viewer.sessionId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('logout ends the session and announces it', async () => {
    const accounts = service();
    const { input } = await registered(accounts);
    const s = await accounts.login(input.email, input.password, IP);
    const viewer = await viewerOf(accounts, s);
    await accounts.logout(s.token);
    expect(await accounts.resolveSession(s.token)).toBeNull();
    expect(events).toContainEqual({ type: 'session.ended', sessionIds: [viewer.sessionId], userId: viewer.id });
  });

  it('lockSelf ends every session of the user at once', async () => {
    const accounts = service();
    const { input } = await registered(accounts);
    const a = await accounts.login(input.email, input.password, IP);
    const b = await accounts.login(input.phone, input.password, IP);
    const viewer = await viewerOf(accounts, a);
    await accounts.lockSelf(viewer);
    expect(await accounts.resolveSession(a.token)).toBeNull();
    expect(await accounts.resolveSession(b.token)).toBeNull();
    const ended = events.find((e) => e.type === 'session.ended' && e.sessionIds.length >= 2);
    expect(ended).toBeDefined();
  });

  it('keeps the privacy choice', async () => {
    const accounts = service();
    const { session } = await registered(accounts);
    const user = await accounts.setPrivacy(await viewerOf(accounts, session), true);
    expect(user.expertsSeeContacts).toBe(true);
  });
});

describe('admin and seed', () => {
  it('seeds demo accounts once, with working passwords and a valid ИНН', async () => {
    const accounts = service();
    const dep = makeDepartment({ code: 'housing' });
    await store.catalogue.createDepartment(dep);
    const seeded = await accounts.seedDemo([dep]);
    expect(seeded.map((s) => s.login).sort()).toEqual(
      ['admin@demo.local', 'citizen@demo.local', 'expert@demo.local', 'operator.housing@demo.local', 'supervisor.housing@demo.local'].sort(),
    );
    const citizen = seeded.find((s) => s.role === 'citizen')!;
    const s = await accounts.login(citizen.login, citizen.password, IP);
    expect(s.user).toMatchObject({ emailConfirmed: true, phoneConfirmed: true });
    expect(isValidInn(s.user.inn ?? '')).toBe(true);
    const op = await accounts.login('operator.housing@demo.local', seeded.find((x) => x.role === 'operator')!.password, IP);
    expect(op.user.departmentId).toBe(dep.id);
    expect(await accounts.seedDemo([dep])).toEqual([]);
    for (let i = 0; i < 50; i++) expect(isValidInn(randomPersonalInn())).toBe(true);
  });

  it('lets only admins manage users and checks departments', async () => {
    const accounts = service();
    const dep = makeDepartment();
    await store.catalogue.createDepartment(dep);
    const seeded = await accounts.seedDemo([dep]);
    const admin = await viewerOf(accounts, await accounts.login('admin@demo.local', seeded.find((s) => s.role === 'admin')!.password, IP));
    const citizenSeed = seeded.find((s) => s.role === 'citizen')!;
    const citizen = await viewerOf(accounts, await accounts.login(citizenSeed.login, citizenSeed.password, IP));

    const input = { email: `op-${uniq()}@mail.ru`, phone: randomPhone(), password: 'operator pass 1', fullName: 'Петров Пётр', role: 'operator' as const };
    expect((await rejection(accounts.createUser(citizen, { ...input, departmentId: dep.id }))).code).toBe('FORBIDDEN');
    expect((await rejection(accounts.listUsers(citizen, { limit: 10, offset: 0 }))).code).toBe('FORBIDDEN');
    const noDep = await rejection(accounts.createUser(admin, input));
    expect(noDep.fields).toHaveProperty('departmentId');
    expect((await rejection(accounts.createUser(admin, { ...input, departmentId: 'unknownDepartment1' }))).fields).toHaveProperty('departmentId');
    const created = await accounts.createUser(admin, { ...input, departmentId: dep.id });
    expect(created).toMatchObject({ role: 'operator', departmentId: dep.id });
    expect(created).not.toHaveProperty('passwordHash');

    const opSession = await accounts.login(input.email, input.password, IP);
    events.length = 0;
    const locked = await accounts.updateUser(admin, created.id, { locked: true });
    expect(locked.locked).toBe(true);
    expect(await accounts.resolveSession(opSession.token)).toBeNull();
    expect(events).toContainEqual(expect.objectContaining({ type: 'session.ended', userId: created.id }));

    const expert = await accounts.updateUser(admin, created.id, { role: 'expert', locked: false });
    expect(expert).toMatchObject({ role: 'expert', departmentId: null, locked: false });
    expect((await rejection(accounts.updateUser(admin, admin.id, { locked: true }))).code).toBe('VALIDATION_FAILED');
    const page = await accounts.listUsers(admin, { role: 'expert', limit: 10, offset: 0 });
    expect(page.items.map((u) => u.id)).toContain(created.id);
    const journal = await store.audit.list(0, 1000);
    expect(journal.map((e) => e.action)).toEqual(expect.arrayContaining(['admin.user_created', 'admin.user_updated']));
  });
});

describe('dev outbox', () => {
  it('appends the message to outbox.log and prints a masked line', async () => {
    const lines: string[] = [];
    const logger: Logger = { ...createLogger('silent'), banner: (t) => lines.push(t) };
    const outbox = new DevOutbox(dir, logger, clock);
    await outbox.mail.send('ivan@mail.ru', 'Код подтверждения', 'Код подтверждения: 123456.');
    await outbox.sms.send('+79161234567', 'Код подтверждения: 654321.');
    const log = readFileSync(path.join(dir, 'outbox.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; text: string });
    expect(log.map((e) => e.to)).toEqual(['ivan@mail.ru', '+79161234567']);
    expect(lines).toEqual(['[outbox] email to i***@mail.ru: Код подтверждения: 123456.', '[outbox] sms to +7 *** ***-45-67: Код подтверждения: 654321.']);
  });
});
