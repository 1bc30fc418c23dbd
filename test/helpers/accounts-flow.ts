/**
 * Registration and the codes of the accounts tests (docs/accounts.md) over
 * startAuthApp: e-mails read from the real SMTP sink, SMS from the gateway stand-in.
 */
import { expect, vi } from 'vitest';
import { currentConsent } from '../../server/domain/accounts/consent.js';
import { Client, type AuthApp, type Reply } from './auth-app.js';
import { randomPhone, uniq } from './factories.js';

export const PASSWORD = 'correct horse 42';

export function registration(overrides: Record<string, unknown> = {}) {
  return {
    email: `ivan-${uniq()}@mail.ru`,
    phone: randomPhone(),
    password: PASSWORD,
    fullName: 'Иванов Иван Иванович',
    birthDate: '1985-04-12',
    inn: '500100732259',
    address: 'г. Москва, ул. Тверская, д. 1',
    consentVersion: currentConsent().version,
    ...overrides,
  };
}

/** The six-digit code in a message. */
export function codeIn(text: string): string {
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code in the message: ${text}`);
  return code;
}

/** The next e-mail to `to` after `since` messages. */
export async function mailTo(app: AuthApp, to: string, since: number) {
  return app.smtp.waitFor(to, since);
}

/** The SMS to `phone` after `since` messages, when the call awaited the gateway (registration, a contact change). */
export function smsTo(app: AuthApp, phone: string, since: number): string {
  const msg = app.sms.messages.slice(since).find((m) => m.to === phone);
  if (!msg) throw new Error(`no SMS to ${phone}`);
  return msg.text;
}

/** The SMS to `phone` after `since` messages, waiting for it (recovery and unlock send in the background). */
export async function smsSoon(app: AuthApp, phone: string, since: number): Promise<string> {
  return vi.waitFor(() => smsTo(app, phone, since), { timeout: 5000, interval: 20 });
}

/** Registers and confirms both contacts; the client is signed in. */
export async function registerConfirmed(app: AuthApp, client = new Client(app), overrides: Record<string, unknown> = {}) {
  const input = registration(overrides);
  const mailSince = app.smtp.messages.length;
  const smsSince = app.sms.messages.length;
  const reply = await client.post('/api/auth/register', input);
  expect(reply.status).toBe(201);
  const mail = await mailTo(app, input.email, mailSince);
  for (const c of reply.body?.codes ?? []) {
    const code = c.channel === 'email' ? codeIn(mail.text) : codeIn(smsTo(app, input.phone, smsSince));
    expect((await client.post('/api/auth/confirm', { requestId: c.requestId, code })).status).toBe(200);
  }
  const me = await client.get('/api/me');
  expect(me.body?.user).toMatchObject({ emailConfirmed: true, phoneConfirmed: true });
  return { input, client, user: me.body?.user ?? expect.fail('no user') };
}

/** Signs in a fresh client with the login and password. */
export async function signIn(app: AuthApp, login: string, password = PASSWORD, userAgent?: string): Promise<{ client: Client; reply: Reply }> {
  const client = new Client(app);
  client.userAgent = userAgent;
  const reply = await client.post('/api/auth/login', { login, password });
  return { client, reply };
}

/** Whether the client's cookie still names a live session. */
export async function isSignedIn(client: Client): Promise<boolean> {
  // `{ user: null }` when the cookie's session is gone.
  return Boolean((await client.get('/api/me')).body?.user);
}
