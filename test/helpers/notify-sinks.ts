/**
 * Loopback receivers for the notification channels, each a real server:
 * - an SMTP server (`smtp-server`) whose mails are parsed with `mailparser`;
 * - an HTTP SMS gateway taking `POST {to, text}`;
 * - a web-push endpoint that holds a subscription's keys (a P-256 key pair
 *   and an auth secret, as a browser does) and decrypts each pushed payload
 *   with them (`http_ece`, aes128gcm), checking the VAPID authorisation header.
 * Each can be told to fail (SMTP 451 or connection refused, gateway 503,
 * push 410) to test retries and clean-up.
 */
import { execFileSync } from 'node:child_process';
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Agent, createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import ece from 'http_ece';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ParsedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  listUnsubscribe: string;
  notices: string[];
  at: number;
}

export interface MailSink {
  url: string;
  port: number;
  mails: ParsedMail[];
  /** While set, every message is refused with this SMTP code (451: try again later). */
  refuseWith: number | null;
  /**
   * While set, a message is received but not answered: it is not accepted
   * (no 250), and, as RFC 5321 has it, a message whose connection ends before
   * the answer is not delivered. `held` counts them.
   */
  hold: boolean;
  held: number;
  /** Milliseconds each message waits before its answer (a slow server). */
  delayMs: number;
  /** Mails to `to` so far. */
  to(address: string): ParsedMail[];
  close(): Promise<void>;
}

export async function startMailSink(port = 0): Promise<MailSink> {
  const sink: MailSink = {
    url: '',
    port: 0,
    mails: [],
    refuseWith: null,
    hold: false,
    held: 0,
    delayMs: 0,
    to: (address) => sink.mails.filter((m) => m.to.includes(address)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (sink.hold) {
          sink.held++;
          return;
        }
        if (sink.refuseWith !== null) {
          const error = Object.assign(new Error('Try again later'), { responseCode: sink.refuseWith });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address);
        const parsed = sink.delayMs > 0 ? new Promise((r) => setTimeout(r, sink.delayMs)).then(() => simpleParser(raw)) : simpleParser(raw);
        void parsed.then((m) => {
          // Held meanwhile: not answered, not accepted.
          if (sink.hold) {
            sink.held++;
            return;
          }
          const header = (name: string): string => {
            const v = m.headers.get(name);
            return typeof v === 'string' ? v : '';
          };
          sink.mails.push({
            to,
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            messageId: m.messageId ?? '',
            listUnsubscribe: rawHeader(raw.toString('utf8'), 'List-Unsubscribe'),
            notices: header('x-caseroom-notices')
              .split(',')
              .filter((s) => s !== ''),
            at: Date.now(),
          });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.url = `smtp://127.0.0.1:${sink.port}`;
  return sink;
}

/** A header as written (mailparser turns List-Unsubscribe into an object). */
function rawHeader(raw: string, name: string): string {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
}

export interface SmsMessage {
  to: string;
  text: string;
  authorization: string;
  at: number;
}

export interface SmsGateway {
  url: string;
  messages: SmsMessage[];
  /** The status answered (200 by default; 503 to fail). */
  status: number;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listen(server: Server | HttpsServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closer = (server: Server | HttpsServer) => (): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => {
      resolve();
    });
  });

export async function startSmsGateway(clock: () => number = Date.now): Promise<SmsGateway> {
  const gw: SmsGateway = { url: '', messages: [], status: 200, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    void body(req).then((b) => {
      if (gw.status >= 300) {
        res.writeHead(gw.status).end('unavailable');
        return;
      }
      const { to, text } = JSON.parse(b.toString('utf8')) as { to: string; text: string };
      gw.messages.push({ to, text, authorization: req.headers.authorization ?? '', at: clock() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  gw.url = `${await listen(server)}/send`;
  gw.close = closer(server);
  return gw;
}

export interface PushReceived {
  /** Which subscription (device) it was sent to. */
  device: string;
  payload: unknown;
  ttl: string;
  authorization: string;
}

/** A self-signed certificate for 127.0.0.1 (openssl), as a push service's TLS stands in for. */
export function loopbackCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'caseroom-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PushEndpoint {
  base: string;
  /** An https.Agent that trusts this endpoint's certificate (for the server's push channel). */
  agent: Agent;
  received: PushReceived[];
  /** The status answered per device (201 by default; 410 when the subscription is gone). */
  statusOf: Map<string, number>;
  /** A new device: its subscription as the browser's PushSubscription.toJSON() gives it. */
  device(name: string): { endpoint: string; keys: { p256dh: string; auth: string } };
  close(): Promise<void>;
}

export async function startPushEndpoint(): Promise<PushEndpoint> {
  const keys = new Map<string, { ecdh: ECDH; auth: Buffer }>();
  const tls = loopbackCertificate();
  const ep: PushEndpoint = {
    base: '',
    agent: new Agent({ ca: tls.cert }),
    received: [],
    statusOf: new Map(),
    device(name) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      keys.set(name, { ecdh, auth });
      return { endpoint: `${ep.base}/push/${name}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
    },
    close: () => Promise.resolve(),
  };
  const server = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    void body(req).then((b) => {
      const device = decodeURIComponent((req.url ?? '').replace(/^\/push\//, ''));
      const status = ep.statusOf.get(device) ?? 201;
      if (status !== 201) {
        res.writeHead(status).end();
        return;
      }
      const k = keys.get(device);
      if (!k) {
        res.writeHead(404).end();
        return;
      }
      const plain = ece.decrypt(b, { version: 'aes128gcm', privateKey: k.ecdh, authSecret: k.auth.toString('base64url') });
      ep.received.push({
        device,
        payload: JSON.parse(plain.toString('utf8')) as unknown,
        ttl: String(req.headers.ttl ?? ''),
        authorization: req.headers.authorization ?? '',
      });
      res.writeHead(201).end();
    });
  });
  ep.base = (await listen(server)).replace('http:', 'https:');
  ep.close = closer(server);
  return ep;
}
