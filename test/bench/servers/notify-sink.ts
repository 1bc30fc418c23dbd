/**
 * The receivers of the notification fan-out phase, in a process of their own
 * on the generators' core: a real SMTP server (`smtp-server`) and a web-push
 * endpoint that decrypts each payload with its subscription's keys
 * (`http_ece`, as a browser would). Each notice is noted with the time it
 * was received: an e-mail's notice ids are in its `X-Caseroom-Notices`
 * header (one mail may carry several, merged), a push payload's `id` is the
 * notice's. Answers the benchmark over IPC.
 */
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ece from 'http_ece';
import { SMTPServer } from 'smtp-server';
import { loopbackCertificate } from '../../helpers/notify-sinks.js';
import { serveIpc } from '../proc.js';

// Push services speak HTTPS: a self-signed certificate, which the server under test is told to trust (NODE_EXTRA_CA_CERTS).
const tls = loopbackCertificate();
const certDir = mkdtempSync(path.join(tmpdir(), 'bench-push-ca-'));
const caFile = path.join(certDir, 'ca.pem');
writeFileSync(caFile, tls.cert);

const mailAt = new Map<string, number>();
const pushAt = new Map<string, number>();
let mails = 0;
let pushes = 0;
const devices = new Map<string, { ecdh: ECDH; auth: string }>();

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 1024 * 1024,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const at = Date.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
      const ids = /^X-Caseroom-Notices:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? '';
      mails++;
      for (const id of ids.split(',')) if (id && !mailAt.has(id)) mailAt.set(id, at);
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
const smtpPort = (smtp.server.address() as AddressInfo).port;

const push = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    const device = decodeURIComponent((req.url ?? '').replace(/^\/push\//, ''));
    const k = devices.get(device);
    if (!k) {
      res.writeHead(404).end();
      return;
    }
    try {
      const payload = JSON.parse(ece.decrypt(Buffer.concat(chunks), { version: 'aes128gcm', privateKey: k.ecdh, authSecret: k.auth }).toString('utf8')) as {
        id?: string;
      };
      pushes++;
      if (payload.id && !pushAt.has(payload.id)) pushAt.set(payload.id, at);
      res.writeHead(201).end();
    } catch {
      res.writeHead(400).end();
    }
  });
});
await new Promise<void>((resolve) => push.listen(0, '127.0.0.1', resolve));
const pushBase = `https://127.0.0.1:${(push.address() as AddressInfo).port}`;

const ipc = serveIpc(
  {
    /** Subscriptions for `n` devices, as browsers give them (PushSubscription.toJSON()). */
    devices: (a: { prefix: string; n: number }) =>
      Array.from({ length: a.n }, (_, i) => {
        const name = `${a.prefix}-${i}`;
        const ecdh = createECDH('prime256v1');
        ecdh.generateKeys();
        const auth = randomBytes(16).toString('base64url');
        devices.set(name, { ecdh, auth });
        return { endpoint: `${pushBase}/push/${name}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth } };
      }),
    /** When each of these notices arrived (ms since the epoch), by channel; absent: not (yet) received. */
    receipts: (a: { ids: string[] }) => ({
      mail: a.ids.map((id) => mailAt.get(id) ?? null),
      push: a.ids.map((id) => pushAt.get(id) ?? null),
      mails,
      pushes,
    }),
  },
  async () => {
    await new Promise<void>((resolve) => {
      smtp.close(() => {
        resolve();
      });
    });
    push.closeAllConnections();
    push.close();
    rmSync(certDir, { recursive: true, force: true });
  },
);

ipc.emit('ready', { port: smtpPort, smtpUrl: `smtp://127.0.0.1:${smtpPort}`, pushBase, caFile });
