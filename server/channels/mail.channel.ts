/**
 * Outbound e-mail. With SMTP_URL: nodemailer over SMTP (loaded only then); without: the dev outbox.
 */
import type { Transporter } from 'nodemailer';
import type { MailChannel, MailExtras } from '../domain/notify/ports.js';
import type { DevOutbox } from './dev-outbox.js';

/** Sends through an SMTP server given as `smtp://user:pass@host:port` or `smtps://…`. */
export class SmtpMailChannel implements MailChannel {
  private readonly transport: Promise<Transporter>;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = import('nodemailer').then((m) => m.default.createTransport(pooled(smtpUrl)));
  }

  async send(to: string, subject: string, text: string, extras: MailExtras = {}): Promise<void> {
    await (
      await this.transport
    ).sendMail({
      from: this.from,
      to,
      subject,
      text,
      ...(extras.html !== undefined ? { html: extras.html } : {}),
      ...(extras.headers ? { headers: extras.headers } : {}),
      ...(extras.messageId ? { messageId: extras.messageId } : {}),
    });
  }

  /** Closes pooled connections (shutdown). */
  close(): void {
    void this.transport.then((t) => {
      t.close();
    });
  }
}

/**
 * The URL with `pool=true` unless it says otherwise: messages share a few
 * open SMTP connections (nodemailer's default, 5) instead of a connection and
 * a handshake each — what a burst of notifications needs.
 */
export function pooled(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return url.toString();
}

/** The SMTP channel when `smtpUrl` is set, else the outbox's mail side. */
export function createMailChannel(opts: { smtpUrl: string | undefined; from: string; outbox: DevOutbox }): MailChannel {
  return opts.smtpUrl ? new SmtpMailChannel(opts.smtpUrl, opts.from) : opts.outbox.mail;
}
