/**
 * The outbound ports of the domain: what a service may send a person, and
 * nothing of how. Implemented in server/channels/ (nodemailer over SMTP, an
 * HTTP SMS gateway, web push, the dev outbox), chosen in the composition root.
 */

/** What an e-mail may carry beyond its text. */
export interface MailExtras {
  /** The same message as HTML. */
  html?: string;
  /** Extra headers, e.g. `List-Unsubscribe`. */
  headers?: Record<string, string>;
  /** The Message-ID (`<…@…>`): the same notices give the same id, so a resend can be recognised. */
  messageId?: string;
}

/** E-mail to one address. */
export interface MailChannel {
  /** Resolves once the mail server accepted the message; rejects otherwise. */
  send(to: string, subject: string, text: string, extras?: MailExtras): Promise<void>;
  /** Releases open connections (shutdown). */
  close?(): void;
}

/** A text message to one phone number (+7XXXXXXXXXX). */
export interface SmsChannel {
  /** Resolves once the gateway accepted the message; rejects otherwise. */
  send(to: string, text: string): Promise<void>;
}

/** A browser's push subscription (one device). */
export interface PushTarget {
  endpoint: string;
  /** The browser's P-256 public key and auth secret, base64url. */
  p256dh: string;
  auth: string;
}

/** Web push (RFC 8030, encrypted per RFC 8291, VAPID-signed). */
export interface PushChannel {
  /** The VAPID public key (base64url) the browser subscribes with. */
  readonly publicKey: string;
  /**
   * Resolves `sent` once the push service accepted the message, `gone` when it
   * answered 404 or 410 (the subscription no longer exists); rejects on any
   * other failure (network, 5xx, 429), for a retry.
   */
  send(target: PushTarget, payload: string, ttlSeconds: number): Promise<'sent' | 'gone'>;
  /** Releases open connections (shutdown). */
  close?(): void;
}
