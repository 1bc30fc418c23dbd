/**
 * The outbound ports of the domain: what a service may send a person, and
 * nothing of how. Implemented in server/channels/ (nodemailer over SMTP, an
 * HTTP SMS gateway, the dev outbox), chosen in the composition root.
 */

/** E-mail to one address. */
export interface MailChannel {
  /** Resolves once the mail server accepted the message; rejects otherwise. */
  send(to: string, subject: string, text: string): Promise<void>;
}

/** A text message to one phone number (+7XXXXXXXXXX). */
export interface SmsChannel {
  /** Resolves once the gateway accepted the message; rejects otherwise. */
  send(to: string, text: string): Promise<void>;
}
