/**
 * Web push through the `web-push` library: the payload encrypted for the
 * subscription's keys (aes128gcm, RFC 8291) and the request signed with the
 * VAPID key pair (RFC 8292). The keys come from VAPID_PUBLIC_KEY /
 * VAPID_PRIVATE_KEY, or are generated on the first start into
 * `<DATA_DIR>/vapid.json` (mode 0600) and read from there afterwards, so
 * browsers' subscriptions stay valid across restarts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import path from 'node:path';
import webpush from 'web-push';
import type { PushChannel, PushTarget } from '../domain/notify/ports.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** The file the generated keys are kept in. */
export const VAPID_FILE = 'vapid.json';

/** The configured keys, else those kept in the data directory, else new ones written there. */
export async function loadVapidKeys(opts: { dataDir: string; publicKey?: string | undefined; privateKey?: string | undefined }): Promise<VapidKeys> {
  if (opts.publicKey && opts.privateKey) return { publicKey: opts.publicKey, privateKey: opts.privateKey };
  const file = path.join(opts.dataDir, VAPID_FILE);
  try {
    const kept = JSON.parse(await readFile(file, 'utf8')) as Partial<VapidKeys>;
    if (typeof kept.publicKey === 'string' && typeof kept.privateKey === 'string') return { publicKey: kept.publicKey, privateKey: kept.privateKey };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fresh = webpush.generateVAPIDKeys();
  // `wx`: of two first starts at once, one writes and the other reads its keys.
  try {
    await writeFile(file, JSON.stringify(fresh), { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(await readFile(file, 'utf8')) as VapidKeys;
  }
}

export class WebPushChannel implements PushChannel {
  readonly publicKey: string;

  private readonly timeoutMs: number;
  private readonly agent: Agent;
  /** The signed VAPID header per push service (its origin): an ES256 signature each message would cost more than the message. */
  private readonly vapidByAudience = new Map<string, { authorization: string; until: number }>();

  constructor(
    private readonly keys: VapidKeys,
    /** `mailto:` or `https:` contact for the push services (VAPID_SUBJECT). */
    private readonly subject: string,
    /** `agent`: an https.Agent of one's own (tests: one that trusts a loopback endpoint's certificate). */
    opts: { timeoutMs?: number; agent?: Agent } = {},
  ) {
    this.publicKey = keys.publicKey;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    // Connections to a push service are kept open between messages: a TLS handshake each would cost more than the message.
    this.agent = opts.agent ?? new Agent({ keepAlive: true, maxSockets: 32 });
  }

  close(): void {
    this.agent.destroy();
  }

  /** `vapid t=<JWT valid 12 h>, k=<public key>` for a push service, signed again after an hour. */
  private vapidAuthorization(audience: string): string {
    const now = Date.now();
    const kept = this.vapidByAudience.get(audience);
    if (kept && kept.until > now) return kept.authorization;
    const expiration = Math.floor(now / 1000) + 12 * 3600;
    const headers = webpush.getVapidHeaders(audience, this.subject, this.keys.publicKey, this.keys.privateKey, 'aes128gcm', expiration);
    const authorization = headers.Authorization;
    this.vapidByAudience.set(audience, { authorization, until: now + 3_600_000 });
    return authorization;
  }

  async send(target: PushTarget, payload: string, ttlSeconds: number): Promise<'sent' | 'gone'> {
    try {
      await webpush.sendNotification({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
        TTL: ttlSeconds,
        timeout: this.timeoutMs,
        agent: this.agent,
        contentEncoding: 'aes128gcm',
        headers: { Authorization: this.vapidAuthorization(new URL(target.endpoint).origin) },
      });
      return 'sent';
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 410) return 'gone';
      throw new Error(status ? `push service answered ${status}` : `push service unreachable: ${(error as Error).message}`);
    }
  }
}
