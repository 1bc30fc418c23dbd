/**
 * Webhooks on the real server (docs/oversight.md, "Webhooks"): a loopback
 * receiver verifies each delivery's HMAC-SHA256 signature over the timestamp
 * and the body; a receiver that answers 500 three times and then 200 gets the
 * delivery exactly once, retried with backoff by the durable scheduler (made
 * short here); the delivery log and its replay; payloads carry the citizen's
 * data only to a trusted webhook; non-https and private-address URLs are
 * refused at registration, and at delivery when the name resolves to a
 * private address by then (DNS rebinding).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressRefusal, isPrivateAddress, urlRefusal } from '../../server/domain/oversight/webhook-policy.js';
import type { WebhookTransport } from '../../server/domain/oversight/webhook.service.js';
import { webhookDeliverySchema } from '../../shared/schemas/oversight.schema.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 that records each request and answers the next status of `answers` (then 200). */
async function receiver(answers: number[] = []): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answers.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, server };
}

/** The receiving side's check, as docs/oversight.md gives it. */
function verify(secret: string, r: Received, now = Date.now()): boolean {
  const timestamp = String(r.headers['x-caseroom-timestamp']);
  const signature = String(r.headers['x-caseroom-signature']);
  if (Math.abs(now / 1000 - Number(timestamp)) > 300) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`;
  return expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
}

let server: TestServer;
let admin: TestClient;
let citizen: TestClient;
let me: { fullName: string; email: string; phone: string };
const receivers: Server[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { WEBHOOKS_DEV_LOOPBACK: 'true' }, webhooks: { backoffMs: 40, maxBackoffMs: 200 }, schedulerIntervalMs: 20 });
  admin = await loginAs(server, 'admin');
  citizen = await loginAs(server, 'citizen');
  const user = (await citizen.get('/api/me')).body.user;
  me = { fullName: user.fullName, email: user.email, phone: user.phone };
});
afterAll(async () => {
  await server.stop();
  for (const r of receivers) r.close();
});

async function register(url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const res = await admin.post('/api/admin/webhooks', { url, events: ['appeal.submitted'], ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.webhook.id, secret: res.body.secret };
}

async function deliveriesOf(webhookId: string) {
  const res = await admin.get(`/api/admin/webhook-deliveries?webhookId=${webhookId}`);
  expect(res.status).toBe(200);
  return (res.body.items as unknown[]).map((d) => webhookDeliverySchema.parse(d));
}

describe('webhooks', () => {
  it('signs each delivery; the loopback receiver verifies it; the payload holds no personal data unless the webhook is trusted', async () => {
    const plain = await receiver();
    const trusted = await receiver();
    receivers.push(plain.server, trusted.server);
    const hook = await register(plain.url, { events: ['appeal.submitted', 'appeal.status_changed'] });
    const trustedHook = await register(trusted.url, { trusted: true });
    const { appeal } = await fileAppeal(citizen, 'portal_issues', { description: `Пишет ${me.fullName}, ${me.email}, ${me.phone}` });

    await expect.poll(() => plain.got.length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => trusted.got.length, { timeout: 10_000 }).toBe(1);
    for (const r of plain.got) {
      expect(verify(hook.secret, r)).toBe(true);
      expect(verify(trustedHook.secret, r)).toBe(false);
      expect(verify(hook.secret, { ...r, body: r.body.replace('registered', 'completed') })).toBe(false);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      for (const value of [me.fullName, me.email, me.phone]) expect(r.body).not.toContain(value);
    }
    const events = plain.got.map((r) => JSON.parse(r.body) as { event: string; appeal: { id: string; number: string; status: string }; data: unknown });
    expect(events.map((e) => e.event).sort()).toEqual(['appeal.status_changed', 'appeal.submitted']);
    expect(events[0]?.appeal).toMatchObject({
      id: appeal.id,
      number: appeal.number,
      status: 'registered',
      statusLabel: 'Принято',
      categoryCode: 'portal_issues',
    });
    expect(events[0]?.data).toEqual({ from: 'draft', to: 'registered', action: 'submit' });
    expect(plain.got.map((r) => r.headers['x-caseroom-event']).sort()).toEqual(['appeal.status_changed', 'appeal.submitted']);

    const t = trusted.got[0]!;
    expect(verify(trustedHook.secret, t)).toBe(true);
    expect(JSON.parse(t.body).citizen).toEqual({ id: citizen.user.id, fullName: me.fullName, email: me.email, phone: me.phone });

    const log = await deliveriesOf(hook.id);
    expect(log.map((d) => [d.state, d.attempts, d.lastStatus])).toEqual([
      ['delivered', 1, 200],
      ['delivered', 1, 200],
    ]);
  });

  it('a receiver answering 500 three times, then 200, gets the delivery exactly once; the admin replays it from the log', async () => {
    const flaky = await receiver([500, 500, 500]);
    receivers.push(flaky.server);
    const hook = await register(flaky.url);
    await fileAppeal(citizen, 'portal_issues');
    await expect.poll(async () => (await deliveriesOf(hook.id))[0]?.state, { timeout: 15_000 }).toBe('delivered');
    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 4, lastStatus: 200, lastError: null, replayOf: null });
    expect(flaky.got).toHaveLength(4);
    expect(new Set(flaky.got.map((r) => r.headers['x-caseroom-delivery']))).toEqual(new Set([delivery!.id]));
    expect(new Set(flaky.got.map((r) => r.body)).size).toBe(1);
    // Nothing is left to run: the delivered one never goes again.
    await server.scheduler.runDue();
    expect(flaky.got).toHaveLength(4);

    const replay = await admin.post(`/api/admin/webhook-deliveries/${delivery!.id}/replay`);
    expect(replay.status).toBe(201);
    expect(replay.body.delivery).toMatchObject({ replayOf: delivery!.id, state: 'pending' });
    await expect.poll(() => flaky.got.length, { timeout: 10_000 }).toBe(5);
    expect(flaky.got[4]?.body).toBe(flaky.got[0]?.body);
    expect(flaky.got[4]?.headers['x-caseroom-delivery']).toBe(replay.body.delivery.id);
    expect(verify(hook.secret, flaky.got[4]!)).toBe(true);
    await expect.poll(async () => (await deliveriesOf(hook.id)).map((d) => d.state), { timeout: 10_000 }).toEqual(['delivered', 'delivered']);
    expect((await admin.post('/api/admin/webhook-deliveries/unknown-delivery-id/replay')).status).toBe(404);
  });

  it('sends the decision and the rating to the webhook that subscribed to them, and nothing else', async () => {
    const r = await receiver();
    receivers.push(r.server);
    const hook = await register(r.url, { events: ['appeal.decision', 'appeal.rated'] });
    const operator = await loginAs(server, 'operator.portal');
    const { appeal } = await fileAppeal(citizen, 'portal_issues');
    const step = async (who: TestClient, body: Record<string, unknown>) => {
      const res = await who.post(`/api/appeals/${appeal.id}/transitions`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await step(operator, { action: 'take' });
    await step(operator, { action: 'propose_resolution', comment: 'Кнопка исправлена, проверьте оплату.' });
    await step(citizen, { action: 'confirm' });
    const rated = await citizen.post(`/api/appeals/${appeal.id}/feedback`, { stars: 5, category: 'service' });
    expect(rated.status, JSON.stringify(rated.body)).toBe(201);
    await expect.poll(() => r.got.map((x) => x.headers['x-caseroom-event']).includes('appeal.rated'), { timeout: 10_000 }).toBe(true);
    const bodies = r.got.map((x) => JSON.parse(x.body) as { event: string; appeal: { id: string; status: string }; data: Record<string, unknown> });
    expect(r.got.every((x) => verify(hook.secret, x))).toBe(true);
    expect(new Set(bodies.map((b) => b.event))).toEqual(new Set(['appeal.decision', 'appeal.rated']));
    expect(bodies.every((b) => b.appeal.id === appeal.id)).toBe(true);
    expect(bodies.find((b) => b.event === 'appeal.decision' && b.data.kind === 'completion')).toBeDefined();
    expect(bodies.find((b) => b.event === 'appeal.rated')?.data).toEqual({ stars: 5, change: 'rated' });
  });

  it('sends an escalation to the department above, with the new appeal and no personal data, to the webhook that subscribed to it', async () => {
    const r = await receiver();
    receivers.push(r.server);
    const hook = await register(r.url, { events: ['appeal.escalated'] });
    const operator = await loginAs(server, 'operator.housing');
    const { appeal } = await fileAppeal(citizen, 'housing_billing');
    for (const [who, body] of [
      [operator, { action: 'take' }],
      [operator, { action: 'propose_resolution', comment: 'Перерасчёт выполнен в марте' }],
      [citizen, { action: 'confirm' }],
    ] as const) {
      const res = await who.post(`/api/appeals/${appeal.id}/transitions`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const [target] = (await citizen.get(`/api/appeals/${appeal.id}/links`)).body.escalationTargets as { id: string }[];
    const escalated = await citizen.post(`/api/appeals/${appeal.id}/escalations`, {
      departmentId: target!.id,
      reason: 'Департамент не выполнил перерасчёт',
      evidenceIds: [],
    });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(201);
    await expect.poll(() => r.got.length, { timeout: 10_000 }).toBe(1);
    expect(verify(hook.secret, r.got[0]!)).toBe(true);
    expect(r.got[0]!.headers['x-caseroom-event']).toBe('appeal.escalated');
    const body = JSON.parse(r.got[0]!.body) as { event: string; appeal: { id: string }; data: Record<string, unknown> };
    expect(body.appeal.id).toBe(appeal.id);
    expect(body.data).toEqual({ escalationAppealId: escalated.body.appealId, toDepartmentId: target!.id, byRole: 'citizen' });
    for (const value of [me.fullName, me.email, me.phone].filter(Boolean)) expect(r.got[0]!.body).not.toContain(value);
  });

  it('refuses a URL that is not https, or that is a private address, unless an admin allows that address; admins only', async () => {
    const refused = async (url: string, extra: Record<string, unknown> = {}) => {
      const res = await admin.post('/api/admin/webhooks', { url, events: ['appeal.decision'], ...extra });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      return res.body.error.fields.url as string;
    };
    expect(await refused('http://example.org/hook')).toBe('Нужен адрес https (http — только к loopback в режиме разработки)');
    expect(await refused('http://10.0.0.5/hook')).toBe('Нужен адрес https (http — только к loopback в режиме разработки)');
    expect(await refused('ftp://example.org/hook')).toContain('https');
    expect(await refused('https://user:pw@example.org/hook')).toBe('Адрес не должен содержать имя и пароль');
    for (const url of [
      'https://10.0.0.5/hook',
      'https://172.16.3.4/',
      'https://192.168.1.1/',
      'https://169.254.169.254/latest',
      'https://[fc00::1]/',
      'https://[::ffff:10.0.0.1]/',
    ]) {
      expect(await refused(url)).toContain('частный или служебный');
    }
    const allowed = await admin.post('/api/admin/webhooks', { url: 'https://10.0.0.5/hook', events: ['appeal.decision'], allowPrivate: true });
    expect(allowed.status).toBe(201);
    expect(allowed.body.webhook).toMatchObject({ url: 'https://10.0.0.5/hook', allowPrivate: true, trusted: false, active: true });
    expect((await admin.post('/api/admin/webhooks', { url: 'https://example.org/hook', events: [] })).status).toBe(400);
    expect((await admin.post('/api/admin/webhooks', { url: 'https://example.org/hook', events: ['chat.posted'] })).status).toBe(400);
    const operator = await loginAs(server, 'operator.portal');
    expect((await operator.get('/api/admin/webhooks')).status).toBe(403);
    expect((await operator.post('/api/admin/webhooks', { url: 'https://example.org/', events: ['appeal.rated'] })).status).toBe(403);
    expect((await operator.get('/api/admin/webhook-deliveries')).status).toBe(403);
    const removed = await admin.request('DELETE', `/api/admin/webhooks/${allowed.body.webhook.id}`);
    expect(removed.status).toBe(204);
    expect((await admin.request('DELETE', `/api/admin/webhooks/${allowed.body.webhook.id}`)).status).toBe(404);

    // The rules themselves: loopback over http only with the development exception, public addresses only.
    expect(urlRefusal('http://127.0.0.1:8080/', false)).not.toBeNull();
    expect(urlRefusal('http://127.0.0.1:8080/', true)).toBeNull();
    expect(addressRefusal(['127.0.0.1'], { allowPrivate: false, devLoopback: false })).not.toBeNull();
    expect(addressRefusal(['127.0.0.1'], { allowPrivate: false, devLoopback: true })).toBeNull();
    expect(addressRefusal(['93.184.216.34', '10.1.1.1'], { allowPrivate: false, devLoopback: true })).not.toBeNull();
    for (const ip of ['10.1.2.3', '172.31.255.255', '192.168.0.1', '169.254.1.1', '127.0.0.2', '::1', 'fd12::1', '100.64.0.1', '0.0.0.0'])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['93.184.216.34', '172.32.0.1', '2a00:1450:4010::64']) expect(isPrivateAddress(ip), ip).toBe(false);
  });
});

describe('webhooks: the address is checked again at delivery (DNS rebinding)', () => {
  it('a name that resolved to a public address at registration and to a private one later gets no request', async () => {
    let answer = ['93.184.216.34'];
    const posts: string[] = [];
    const transport: WebhookTransport = {
      resolve: () => Promise.resolve(answer),
      post: (_url, address) => {
        posts.push(address);
        return Promise.resolve(200);
      },
    };
    const other = await startTestServer({ webhooks: { transport, backoffMs: 10_000, maxAttempts: 2 }, schedulerIntervalMs: 20 });
    try {
      const adm = await loginAs(other, 'admin');
      const cit = await loginAs(other, 'citizen');
      const res = await adm.post('/api/admin/webhooks', { url: 'https://hooks.example.test/in', events: ['appeal.submitted'] });
      expect(res.status).toBe(201);
      await fileAppeal(cit, 'portal_issues');
      await expect.poll(async () => (await adm.get('/api/admin/webhook-deliveries')).body.items[0]?.state, { timeout: 10_000 }).toBe('delivered');
      expect(posts).toEqual(['93.184.216.34']);

      answer = ['10.0.0.7'];
      await fileAppeal(cit, 'portal_issues');
      // The first delivery has one attempt too: wait for the second one's row, then for its attempt.
      const secondAttempts = async () => {
        const items = (await adm.get('/api/admin/webhook-deliveries')).body.items as { attempts: number }[];
        return items.length === 2 ? items[0]!.attempts : -1;
      };
      await expect.poll(secondAttempts, { timeout: 10_000 }).toBe(1);
      const [latest] = (await adm.get('/api/admin/webhook-deliveries')).body.items;
      expect(latest).toMatchObject({ state: 'pending', lastStatus: null });
      expect(latest.lastError).toContain('10.0.0.7');
      expect(posts).toEqual(['93.184.216.34']);
    } finally {
      await other.stop();
    }
  });
});
