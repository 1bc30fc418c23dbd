/**
 * The personal-data consent (152-ФЗ; docs/accounts.md): required at
 * registration, recorded on the user and in the journal; a new version asks
 * again and, until accepted, the server refuses everything but me, the
 * consent itself and logout — over HTTP, socket.io and the Yjs endpoint.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { currentConsent, INITIAL_CONSENT, publishConsent } from '../../server/domain/accounts/consent.js';
import { Client, startAuthApp, type AuthApp } from '../helpers/auth-app.js';
import { registerConfirmed, registration, signIn } from '../helpers/accounts-flow.js';
import { closeAllSockets, connect } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { loginAs } from '../helpers/session.js';
import { makeUser } from '../helpers/factories.js';
import { hashPassword } from '../../server/domain/accounts/password.js';

const NEXT = { version: '2027-01-15', ru: 'Новая редакция согласия.\n\nВторой абзац.', en: 'The new text.\n\nSecond paragraph.' };

let app: AuthApp;

beforeAll(async () => {
  app = await startAuthApp({
    limits: {
      loginPerIp: { points: 1000, durationSec: 60 },
      confirmPerIp: { points: 1000, durationSec: 60 },
      registerPerIp: { points: 1000, durationSec: 60 },
    },
  });
});

afterAll(async () => {
  await app.close();
});

afterEach(() => {
  publishConsent(INITIAL_CONSENT);
});

describe('consent at registration', () => {
  it('serves the text in force in Russian and English', async () => {
    const reply = await new Client(app).get('/api/consent');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ terms: INITIAL_CONSENT });
    expect(INITIAL_CONSENT.ru).toContain('152-ФЗ «О персональных данных»');
    expect(INITIAL_CONSENT.en).toContain('152-FZ');
  });

  it('refuses a registration without the consent or with an older version, and records the version and time of one with it', async () => {
    const { consentVersion: _omitted, ...without } = registration();
    const none = await new Client(app).post('/api/auth/register', without);
    expect(none.status).toBe(400);
    expect(none.body?.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { consentVersion: 'необходимо согласие на обработку персональных данных' } });
    expect(await app.store.users.findByLogin(without.email)).toBeNull();

    publishConsent(NEXT);
    const stale = await new Client(app).post('/api/auth/register', registration({ consentVersion: INITIAL_CONSENT.version }));
    expect(stale.status).toBe(400);
    expect(stale.body?.error?.fields?.consentVersion).toBe('Текст согласия на обработку персональных данных обновлён: прочитайте его и подтвердите снова');

    const at = app.clock.now();
    const { user } = await registerConfirmed(app);
    expect(user).toMatchObject({ consentVersion: NEXT.version, consentAcceptedAt: at, consentRequired: false });
    const stored = await app.store.users.get(user.id);
    expect(stored).toMatchObject({ consentVersion: NEXT.version, consentAcceptedAt: at });
    const journal = (await app.store.audit.list(0, 10_000)).find((e) => e.subjectId === user.id && e.action === 'account.registered');
    expect(journal?.details).toEqual({ consentVersion: NEXT.version });
  });
});

describe('a new version', () => {
  it('asks again at the next request: everything but me, the consent and logout answers CONSENT_REQUIRED until it is accepted', async () => {
    const { client, input, user } = await registerConfirmed(app);
    publishConsent(NEXT);

    const me = await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body?.user).toMatchObject({ consentVersion: INITIAL_CONSENT.version, consentRequired: true });
    const refused = await client.put('/api/me/profile', {
      fullName: 'Иванов Иван',
      birthDate: '1985-04-12',
      inn: '500100732259',
      address: 'г. Москва, ул. Тверская, д. 1',
    });
    expect(refused.status).toBe(403);
    expect(refused.body?.error).toEqual({ code: 'CONSENT_REQUIRED', message: 'Примите согласие на обработку персональных данных' });
    expect((await client.put('/api/me/privacy', { expertsSeeContacts: true })).body?.error?.code).toBe('CONSENT_REQUIRED');
    expect((await client.get('/api/me/sessions')).body?.error?.code).toBe('CONSENT_REQUIRED');

    // A fresh login is asked too; signing in itself is allowed.
    const again = await signIn(app, input.email);
    expect(again.reply.status).toBe(200);
    expect(again.reply.body?.user?.consentRequired).toBe(true);

    const old = await client.post('/api/me/consent', { version: INITIAL_CONSENT.version });
    expect(old.body?.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { version: 'Текст согласия обновлён: прочитайте его и подтвердите снова' } });
    const at = app.clock.now();
    const accepted = await client.post('/api/me/consent', { version: NEXT.version });
    expect(accepted.status).toBe(200);
    expect(accepted.body?.user).toMatchObject({ consentVersion: NEXT.version, consentAcceptedAt: at, consentRequired: false });
    expect((await client.get('/api/me/sessions')).status).toBe(200);
    expect((await again.client.get('/api/me/sessions')).status).toBe(200);
    const journal = (await app.store.audit.list(0, 10_000)).filter((e) => e.subjectId === user.id && e.action === 'account.consent_accepted');
    expect(journal.map((e) => e.details)).toEqual([{ version: NEXT.version }]);

    expect((await again.client.post('/api/auth/logout')).status).toBe(204);
  });

  it('asks citizens only: staff process data under their employment', async () => {
    // An expert stored without any consent (staff accounts are made by an admin).
    await app.store.users.create(
      makeUser({
        role: 'expert',
        email: 'expert.consent@mail.ru',
        passwordHash: await hashPassword('expert password 1'),
        consentVersion: null,
        consentAcceptedAt: null,
      }),
    );
    const expert = await signIn(app, 'expert.consent@mail.ru', 'expert password 1');
    expect(expert.reply.body?.user?.consentRequired).toBe(false);
    expect((await expert.client.get('/api/me/sessions')).status).toBe(200);
  });
});

/** The HTTP status the Yjs endpoint answers an upgrade to a room that does not exist with (101 if it opened). */
function yjsStatus(server: TestServer, cookie: string): Promise<number> {
  return new Promise<number>((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/yjs/appeal-0000000001`, { headers: { cookie, origin: server.url } });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

describe('a new version on the live connections', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    closeAllSockets();
    await server.stop();
  });

  it('refuses the socket and the Yjs endpoint until the citizen accepts it', async () => {
    const citizen = await loginAs(server, 'citizen');
    const before = await connect(server.url, citizen);
    before.close();
    publishConsent(NEXT);
    expect(currentConsent().version).toBe(NEXT.version);
    await expect(connect(server.url, citizen)).rejects.toMatchObject({ data: { code: 'CONSENT_REQUIRED' } });

    // Refused before the room is looked at: 403, where an unknown room otherwise answers 404.
    expect(await yjsStatus(server, citizen.cookie)).toBe(403);

    expect((await citizen.post('/api/me/consent', { version: NEXT.version })).status).toBe(200);
    const after = await connect(server.url, citizen);
    expect(after.connected).toBe(true);
    after.close();
    expect(await yjsStatus(server, citizen.cookie)).toBe(404);
  });
});
