/**
 * The socket auth middleware with a real socket.io server on 127.0.0.1:0, real
 * socket.io clients, and the real AccountService and UserNames over SQLite:
 * who gets in (an allowed Origin, a live session cookie, a confirmed account),
 * the exact `connect_error` everyone else reads (message and data.code), the
 * socket data taken from the server's records, and a recovered connection
 * that must come back with the cookie of its own login session. The Engine.IO
 * Origin check (`allowRequestFrom`) is called directly: it is a plain callback.
 */
import { createServer, IncomingMessage } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountServiceImpl } from '../../server/domain/accounts/account.service.js';
import { sessionIdOf } from '../../server/domain/accounts/sessions.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { UserNames } from '../../server/domain/chat/user-names.js';
import { LocalBus } from '../../server/domain/events.js';
import { ManualClock } from '../../server/lib/clock.js';
import { newToken } from '../../server/lib/ids.js';
import type { Logger } from '../../server/lib/logger.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store, UserRecord } from '../../server/store/store.js';
import { SESSION_COOKIE } from '../../server/transport/http/request-context.js';
import { allowRequestFrom, authenticate, isOriginAllowed, refusal } from '../../server/transport/realtime/auth.middleware.js';
import type { RealtimeServer } from '../../server/transport/realtime/context.js';
import type { SocketData } from '../../shared/protocol/events.js';
import { HOUR, makeUser, T0 } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { until } from '../helpers/realtime.js';

const ALLOWED = 'http://127.0.0.1:3000';
const ALSO_ALLOWED = 'http://localhost:3000';
const allowedOrigins = (): string[] => [ALLOWED, ALSO_ALLOWED];

const dir = tempDirs('auth-middleware-');

interface Running {
  url: string;
  io: RealtimeServer;
  store: Store;
  clock: ManualClock;
  names: UserNames;
  logged: { msg: string; fields?: Record<string, unknown> }[];
  /** socket.data of every connection the middleware let in, as the connection handler saw it. */
  admitted: SocketData[];
  recovered: boolean[];
}

let running: Running | null = null;
const clients: ClientSocket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  const r = running;
  running = null;
  if (r) {
    await new Promise<void>((done) => {
      void r.io.close(() => {
        done();
      });
    });
    await r.store.close().catch(() => undefined);
  }
});

async function serve(): Promise<Running> {
  const store = await openSqliteStore({ dataDir: await dir() });
  const clock = new ManualClock(T0);
  const logged: Running['logged'] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    banner: () => undefined,
    error: (msg, fields) => {
      logged.push({ msg, ...(fields ? { fields } : {}) });
    },
  };
  const accounts = new AccountServiceImpl({
    store,
    clock,
    secret: 'unit-test-secret-unit-test-secret-0123',
    mail: { send: () => Promise.resolve() },
    sms: { send: () => Promise.resolve() },
    audit: new AuditService(store, clock),
    bus: new LocalBus(),
    logger,
  });
  const names = new UserNames(store, clock);
  const http = createServer();
  // No Engine.IO Origin check here, so that the middleware's own check is what answers.
  const io: RealtimeServer = new Server(http, { connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: false } });
  io.use(authenticate({ accounts, names, allowedOrigins, logger }));
  const admitted: SocketData[] = [];
  const recovered: boolean[] = [];
  io.on('connection', (socket) => {
    admitted.push({ ...socket.data });
    recovered.push(socket.recovered);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  running = { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, io, store, clock, names, logged, admitted, recovered };
  return running;
}

/** A user and a live session of theirs; returns the cookie header and the session id. */
async function signedIn(
  r: Running,
  overrides: Partial<UserRecord> = {},
  expiresAt = T0 + 12 * HOUR,
): Promise<{ user: UserRecord; cookie: string; sessionId: string }> {
  const user = makeUser(overrides);
  await r.store.users.create(user);
  const token = newToken();
  await r.store.sessions.create({ id: sessionIdOf(token), userId: user.id, csrfToken: newToken(), createdAt: T0, expiresAt });
  return { user, cookie: `${SESSION_COOKIE}=${token}`, sessionId: sessionIdOf(token) };
}

function socket(r: Running, headers: Record<string, string>): ClientSocket {
  const s = connectClient(r.url, { transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true, timeout: 3000 });
  clients.push(s);
  return s;
}

/** Connects; resolves 'connected' or the connect_error's message and code. */
function outcome(s: ClientSocket): Promise<'connected' | { message: string; code: unknown }> {
  return new Promise((resolve) => {
    s.once('connect', () => {
      resolve('connected');
    });
    s.once('connect_error', (err: Error & { data?: { code?: unknown } }) => {
      resolve({ message: err.message, code: err.data?.code });
    });
  });
}

describe('isOriginAllowed and allowRequestFrom (the Engine.IO handshake)', () => {
  /** A request as Engine.IO hands it over, with just an Origin header (or none). */
  const req = (origin?: string): IncomingMessage => {
    const message = new IncomingMessage(new Socket());
    if (origin !== undefined) message.headers.origin = origin;
    return message;
  };

  it('accepts exactly the allowed origins; a missing or foreign one is refused', () => {
    expect(isOriginAllowed(req(ALLOWED), allowedOrigins)).toBe(true);
    expect(isOriginAllowed(req(ALSO_ALLOWED), allowedOrigins)).toBe(true);
    expect(isOriginAllowed(req('http://evil.example'), allowedOrigins)).toBe(false);
    expect(isOriginAllowed(req(`${ALLOWED}.evil.example`), allowedOrigins)).toBe(false);
    expect(isOriginAllowed(req(), allowedOrigins)).toBe(false);
    expect(isOriginAllowed(req(''), allowedOrigins)).toBe(false);
  });

  it('reads the allowed list at each request', () => {
    let list = [ALLOWED];
    expect(isOriginAllowed(req(ALLOWED), () => list)).toBe(true);
    list = [];
    expect(isOriginAllowed(req(ALLOWED), () => list)).toBe(false);
  });

  it('answers Engine.IO with (null, true) or ("origin not allowed", false)', () => {
    const answers: [unknown, boolean][] = [];
    const allow = allowRequestFrom(allowedOrigins);
    allow(req(ALLOWED), (err, ok) => {
      answers.push([err, ok]);
    });
    allow(req('http://evil.example'), (err, ok) => {
      answers.push([err, ok]);
    });
    allow(req(), (err, ok) => {
      answers.push([err, ok]);
    });
    expect(answers).toStrictEqual([
      [null, true],
      ['origin not allowed', false],
      ['origin not allowed', false],
    ]);
  });

  it('refusal carries the message and the code in data, as the client reads them', () => {
    const err = refusal('UNAUTHENTICATED', 'Войдите в систему');
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('Войдите в систему');
    expect(err.data).toStrictEqual({ code: 'UNAUTHENTICATED' });
  });
});

describe('the socket.io middleware', () => {
  it('lets a confirmed user with a live session in, with socket data from the records, and remembers the name', async () => {
    const r = await serve();
    const { user, cookie, sessionId } = await signedIn(r, { role: 'operator', departmentId: 'd-tax', fullName: 'Соколова Анна Викторовна' });
    expect(await outcome(socket(r, { origin: ALLOWED, cookie }))).toBe('connected');
    expect(r.admitted).toStrictEqual([{ userId: user.id, role: 'operator', departmentId: 'd-tax', sessionId, name: 'Соколова Анна Викторовна' }]);
    expect(r.names.cached(user.id)).toBe('Соколова Анна Викторовна');
    expect(r.logged).toStrictEqual([]);
  });

  it('refuses a foreign or missing Origin with CSRF_FAILED, even with a valid cookie', async () => {
    const r = await serve();
    const { cookie } = await signedIn(r);
    const csrf = { message: 'Подключение отклонено: неизвестный источник', code: 'CSRF_FAILED' };
    expect(await outcome(socket(r, { origin: 'http://evil.example', cookie }))).toStrictEqual(csrf);
    expect(await outcome(socket(r, { cookie }))).toStrictEqual(csrf);
    expect(r.admitted).toStrictEqual([]);
  });

  it('refuses no cookie, a malformed one, an unknown, an expired session and a locked account with UNAUTHENTICATED', async () => {
    const r = await serve();
    const unauthenticated = { message: 'Войдите в систему', code: 'UNAUTHENTICATED' };
    expect(await outcome(socket(r, { origin: ALLOWED }))).toStrictEqual(unauthenticated);
    expect(await outcome(socket(r, { origin: ALLOWED, cookie: `${SESSION_COOKIE}=short` }))).toStrictEqual(unauthenticated);
    expect(await outcome(socket(r, { origin: ALLOWED, cookie: `${SESSION_COOKIE}=${newToken()}` }))).toStrictEqual(unauthenticated);
    const expired = await signedIn(r, {}, T0);
    expect(await outcome(socket(r, { origin: ALLOWED, cookie: expired.cookie }))).toStrictEqual(unauthenticated);
    const locked = await signedIn(r, { locked: true });
    expect(await outcome(socket(r, { origin: ALLOWED, cookie: locked.cookie }))).toStrictEqual(unauthenticated);
    expect(r.admitted).toStrictEqual([]);
    expect(r.logged).toStrictEqual([]);
  });

  it('refuses an account with either contact unconfirmed with ACCOUNT_NOT_CONFIRMED', async () => {
    const r = await serve();
    const notConfirmed = { message: 'Подтвердите электронную почту и телефон', code: 'ACCOUNT_NOT_CONFIRMED' };
    const noEmail = await signedIn(r, { emailConfirmed: false });
    expect(await outcome(socket(r, { origin: ALLOWED, cookie: noEmail.cookie }))).toStrictEqual(notConfirmed);
    const noPhone = await signedIn(r, { phoneConfirmed: false });
    expect(await outcome(socket(r, { origin: ALLOWED, cookie: noPhone.cookie }))).toStrictEqual(notConfirmed);
    expect(r.admitted).toStrictEqual([]);
  });

  it('answers a failure of its own with INTERNAL and logs it without personal data', async () => {
    const r = await serve();
    const { cookie } = await signedIn(r);
    await r.store.close();
    expect(await outcome(socket(r, { origin: ALLOWED, cookie }))).toStrictEqual({ message: 'Внутренняя ошибка, попробуйте позже', code: 'INTERNAL' });
    expect(r.logged).toHaveLength(1);
    expect(r.logged[0]?.msg).toBe('socket auth failed');
    expect(r.logged[0]?.fields).toStrictEqual({ error: expect.any(String) });
    expect(String(r.logged[0]?.fields?.error)).toMatch(/\S/);
    expect(r.admitted).toStrictEqual([]);
  });
});

describe('a recovered connection', () => {
  /** A connected client that lost its transport; the server kept its state. */
  async function dropped(r: Running, cookie: string): Promise<ClientSocket> {
    const s = socket(r, { origin: ALLOWED, cookie });
    expect(await outcome(s)).toBe('connected');
    // A broadcast gives the client the offset it presents when it comes back.
    const got = new Promise<void>((done) =>
      s.once('room:revoked', () => {
        done();
      }),
    );
    r.io.emit('room:revoked', { appealId: 'a-1' });
    await got;
    const gone = new Promise<void>((done) =>
      s.once('disconnect', () => {
        done();
      }),
    );
    s.io.engine.close();
    await gone;
    await until(() => r.io.of('/').sockets.size === 0, 2000, 'server saw the drop');
    return s;
  }

  it('comes back with the cookie of its own session: restored, its data as it was', async () => {
    const r = await serve();
    const { user, cookie, sessionId } = await signedIn(r);
    const s = await dropped(r, cookie);
    expect(await outcome(s.connect())).toBe('connected');
    expect(s.recovered).toBe(true);
    expect(r.recovered).toStrictEqual([false, true]);
    expect(r.admitted[1]).toStrictEqual({ userId: user.id, role: 'citizen', departmentId: null, sessionId, name: user.fullName });
  });

  it('is refused with the cookie of another session, even of the same person', async () => {
    const r = await serve();
    const first = await signedIn(r);
    const s = await dropped(r, first.cookie);
    // The same person logged in again meanwhile: a new session of theirs.
    const token = newToken();
    await r.store.sessions.create({ id: sessionIdOf(token), userId: first.user.id, csrfToken: newToken(), createdAt: T0, expiresAt: T0 + HOUR });
    s.io.opts.extraHeaders = { origin: ALLOWED, cookie: `${SESSION_COOKIE}=${token}` };
    expect(await outcome(s.connect())).toStrictEqual({ message: 'Сессия сменилась, подключитесь заново', code: 'UNAUTHENTICATED' });
    expect(r.admitted).toHaveLength(1);
  });
});
