/**
 * Outbound e-mail. With SMTP_URL: nodemailer over SMTP; without: the dev outbox.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailChannel } from '../domain/notify/ports.js';
import type { DevOutbox } from './dev-outbox.js';

/** Sends through an SMTP server given as `smtp://user:pass@host:port` or `smtps://…`. */
export class SmtpMailChannel implements MailChannel {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(to: string, subject: string, text: string): Promise<void> {
    await this.transport.sendMail({ from: this.from, to, subject, text });
  }

  /** Closes pooled connections (shutdown). */
  close(): void {
    this.transport.close();
  }
}

/** The SMTP channel when `smtpUrl` is set, else the outbox's mail side. */
export function createMailChannel(opts: { smtpUrl: string | undefined; from: string; outbox: DevOutbox }): MailChannel {
  return opts.smtpUrl ? new SmtpMailChannel(opts.smtpUrl, opts.from) : opts.outbox.mail;
}
