/**
 * The dev outbox: where e-mail and SMS go when no SMTP server or SMS gateway is
 * configured. It stands in for the person's mailbox and phone, so it is the
 * ONE place where message text — including confirmation codes — is written out:
 * each message is appended to `<dataDir>/outbox.log` as a JSON line and a short
 * line is printed to the console, e.g. `[outbox] email to i***@mail.ru: Код …`.
 * Never configure it in production; set SMTP_URL and SMS_GATEWAY_URL instead.
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { maskContact } from '../domain/accounts/mask.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { MailChannel, SmsChannel } from '../domain/notify/ports.js';

/** One line of outbox.log. */
export interface OutboxEntry {
  at: string;
  channel: 'email' | 'sms';
  to: string;
  subject?: string;
  text: string;
}

export class DevOutbox {
  /** The file messages are appended to. */
  readonly file: string;
  /** E-mail into the outbox. */
  readonly mail: MailChannel;
  /** SMS into the outbox. */
  readonly sms: SmsChannel;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
    private readonly clock: Clock = { now: () => Date.now() },
  ) {
    this.file = path.join(dataDir, 'outbox.log');
    this.mail = { send: (to, subject, text) => this.write({ channel: 'email', to, subject, text }) };
    this.sms = { send: (to, text) => this.write({ channel: 'sms', to, text }) };
  }

  private async write(msg: Omit<OutboxEntry, 'at'>): Promise<void> {
    const entry: OutboxEntry = { at: new Date(this.clock.now()).toISOString(), ...msg };
    // O_APPEND writes of one short line do not interleave, so no queue is needed.
    await appendFile(this.file, JSON.stringify(entry) + '\n', { mode: 0o600 });
    const firstLine = (msg.text.split('\n')[0] ?? '').slice(0, 200);
    this.logger.banner(`[outbox] ${msg.channel} to ${maskContact(msg.to)}: ${firstLine}`);
  }
}
