/**
 * A small Express app with just the accounts surface — express.json, the session
 * and CSRF middleware, authRoutes, adminUserRoutes and the error handler — over
 * the real SQLite store, a real SMTP server and an HTTP SMS gateway stand-in,
 * all on 127.0.0.1 port 0. (The full app is composed in server/main.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import type { ErrorBody } from '../../shared/protocol/error-codes.js';
import { SmtpMailChannel } from '../../server/channels/mail.channel.js';
import { HttpSmsChannel } from '../../server/channels/sms.channel.js';
import { AccountServiceImpl, type AccountServiceOptions } from '../../server/domain/accounts/account.service.js';
import type { CodeRequest, PublicUser } from '../../server/domain/accounts/account.types.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { LocalBus, type DomainEvent } from '../../server/domain/events.js';
import { ManualClock } from '../../server/lib/clock.js';
import { createLogger } from '../../server/lib/logger.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { adminUserRoutes, authRoutes } from '../../server/transport/http/auth.routes.js';
import { profileRoutes } from '../../server/transport/http/profile.routes.js';
import { errorHandler } from '../../server/transport/http/http-errors.js';
import { csrfMiddleware, sessionMiddleware } from '../../server/transport/http/request-context.js';
import { startSmtp, type TestSmtp } from './smtp.js';

export interface SmsGateway {
  url: string;
  token: string;
  messages: { to: string; text: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/**
 * The stand-in for an SMS provider: an HTTP endpoint that accepts
 * POST {to, text} with the Bearer token and keeps the messages. The adapter
 * talking to it (HttpSmsChannel) is the real one.
 */
export async function startSmsGateway(token = 'gateway-test-token'): Promise<SmsGateway> {
  const messages: SmsGateway['messages'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; text: string };
      messages.push({ to: body.to, text: body.text, authorization: req.headers.authorization });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });
  await listen(server);
  return { url: `http://127.0.0.1:${port(server)}/send`, token, messages, close: () => closeServer(server) };
}

export interface AuthApp {
  baseUrl: string;
  /** The Origin the CSRF check accepts. */
  origin: string;
  clock: ManualClock;
  store: Store;
  accounts: AccountServiceImpl;
  smtp: TestSmtp;
  sms: SmsGateway;
  events: DomainEvent[];
  close(): Promise<void>;
}

export async function startAuthApp(options: AccountServiceOptions = {}): Promise<AuthApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'auth-app-'));
  const store = await openSqliteStore({ dataDir: dir });
  const clock = new ManualClock(Date.now());
  const logger = createLogger('silent');
  const smtp = await startSmtp();
  const sms = await startSmsGateway();
  const mail = new SmtpMailChannel(smtp.url, 'Тест <noreply@caseroom.test>');
  const bus = new LocalBus();
  const events: DomainEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const accounts = new AccountServiceImpl(
    {
      store,
      clock,
      secret: 'integration-secret-integration-secret',
      mail,
      sms: new HttpSmsChannel(sms.url, sms.token, 2000),
      audit: new AuditService(store, clock),
      bus,
      logger,
    },
    options,
  );

  let origin = '';
  const app = express();
  app.use('/api', express.json({ limit: 256 * 1024 }));
  app.use('/api', sessionMiddleware(accounts));
  app.use(
    '/api',
    csrfMiddleware(() => [origin]),
  );
  app.use(authRoutes({ accounts, secureCookies: false }));
  app.use(profileRoutes({ accounts, secureCookies: false }));
  app.use(adminUserRoutes(accounts));
  app.use(errorHandler(logger));
  const server = createServer(app);
  await listen(server);
  origin = `http://127.0.0.1:${port(server)}`;

  return {
    baseUrl: origin,
    origin,
    clock,
    store,
    accounts,
    smtp,
    sms,
    events,
    async close() {
      server.closeAllConnections();
      await closeServer(server);
      mail.close();
      await Promise.all([smtp.close(), sms.close()]);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function port(server: Server): number {
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

/** The bodies the accounts routes answer with, all fields optional. */
export interface ReplyBody {
  user?: PublicUser;
  csrfToken?: string;
  codes?: CodeRequest[];
  request?: CodeRequest;
  items?: PublicUser[];
  total?: number;
  endedSessions?: number;
  error?: ErrorBody;
}

export interface Reply {
  status: number;
  body: ReplyBody | null;
  headers: Headers;
}

/**
 * A browser-like client: keeps the session cookie, sends the Origin of the app
 * and the CSRF token it was given, unless told otherwise.
 */
export class Client {
  cookie: string | undefined;
  csrfToken: string | undefined;
  /** Sent as User-Agent when set (the profile lists each session's device). */
  userAgent: string | undefined;

  constructor(private readonly app: AuthApp) {}

  async request(method: string, urlPath: string, body?: unknown, opts: { origin?: string | null; csrf?: boolean } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const origin = opts.origin === undefined ? this.app.origin : opts.origin;
    if (origin !== null) headers.origin = origin;
    if (this.cookie) headers.cookie = this.cookie;
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    if (this.csrfToken && opts.csrf !== false) headers['x-csrf-token'] = this.csrfToken;
    const res = await fetch(this.app.baseUrl + urlPath, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      this.cookie = /=$/.test(pair) ? undefined : pair;
    }
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as ReplyBody) : null;
    if (typeof parsed?.csrfToken === 'string') this.csrfToken = parsed.csrfToken;
    return { status: res.status, body: parsed, headers: res.headers };
  }

  get = (p: string, opts?: { origin?: string | null; csrf?: boolean }): Promise<Reply> => this.request('GET', p, undefined, opts);
  post = (p: string, body?: unknown, opts?: { origin?: string | null; csrf?: boolean }): Promise<Reply> => this.request('POST', p, body ?? {}, opts);
  put = (p: string, body?: unknown, opts?: { origin?: string | null; csrf?: boolean }): Promise<Reply> => this.request('PUT', p, body ?? {}, opts);
  patch = (p: string, body?: unknown, opts?: { origin?: string | null; csrf?: boolean }): Promise<Reply> => this.request('PATCH', p, body ?? {}, opts);
  del = (p: string, opts?: { origin?: string | null; csrf?: boolean }): Promise<Reply> => this.request('DELETE', p, undefined, opts);
}
