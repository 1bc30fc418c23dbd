/**
 * Outbound SMS. With SMS_GATEWAY_URL: an HTTP POST of JSON `{ to, text }` with
 * `Authorization: Bearer <SMS_GATEWAY_TOKEN>`; without: the dev outbox.
 */
import type { SmsChannel } from '../domain/notify/ports.js';
import type { DevOutbox } from './dev-outbox.js';

export class HttpSmsChannel implements SmsChannel {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    /** A gateway that does not answer in time counts as a failure. */
    private readonly timeoutMs = 10_000,
  ) {}

  async send(to: string, text: string): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(this.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ to, text }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    // Drain the body so the connection can be reused; its content is not needed.
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`);
  }
}

/** The HTTP gateway when `gatewayUrl` is set, else the outbox's SMS side. */
export function createSmsChannel(opts: { gatewayUrl: string | undefined; token: string | undefined; outbox: DevOutbox; timeoutMs?: number }): SmsChannel {
  return opts.gatewayUrl ? new HttpSmsChannel(opts.gatewayUrl, opts.token, opts.timeoutMs) : opts.outbox.sms;
}
