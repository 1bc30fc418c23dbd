/**
 * Who may see what: a person never learns that an appeal they may not see
 * exists (404), across citizens, departments and experts; crafted query
 * operators never widen a filter; contact data follows the citizen's choice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let other: TestClient;
let operator: TestClient;
let foreignOperator: TestClient;
let expert: TestClient;
let appealId: string;

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  foreignOperator = await loginAs(server, 'operator.housing');
  expert = await loginAs(server, 'expert');
  const admin = await loginAs(server, 'admin');
  const created = await admin.post('/api/admin/users', {
    email: 'second@example.ru',
    phone: '+79990001122',
    password: 'второй-пароль-77',
    fullName: 'Второй Заявитель',
    role: 'citizen',
  });
  expect(created.status).toBe(201);
  other = await new TestClient(server.url).login('second@example.ru', 'второй-пароль-77');
  appealId = (await fileAppeal(citizen)).appeal.id;
});
afterAll(async () => {
  await server.stop();
});

describe('authorisation of appeals', () => {
  it('another citizen gets 404 on read, edit, history and transitions', async () => {
    expect((await other.get(`/api/appeals/${appealId}`)).status).toBe(404);
    expect((await other.get(`/api/appeals/${appealId}/history`)).status).toBe(404);
    expect((await other.patch(`/api/appeals/${appealId}`, { version: 0, subject: 'взлом' })).status).toBe(404);
    expect((await other.post(`/api/appeals/${appealId}/transitions`, { action: 'confirm' })).status).toBe(404);
    const mine = await other.get('/api/appeals/mine');
    expect(mine.body.items).toEqual([]);
  });

  it('an operator of another department gets 404 and does not see it in the queue', async () => {
    expect((await foreignOperator.get(`/api/appeals/${appealId}`)).status).toBe(404);
    expect((await foreignOperator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(404);
    const q = await foreignOperator.get('/api/queue?limit=100');
    expect(q.body.items.map((a: { id: string }) => a.id)).not.toContain(appealId);
    expect((await operator.get(`/api/appeals/${appealId}`)).status).toBe(200);
  });

  it('a draft is the citizen’s alone', async () => {
    const draft = await citizen.post('/api/appeals', { subject: 'Черновик' });
    expect((await operator.get(`/api/appeals/${draft.body.appeal.id}`)).status).toBe(404);
  });

  it('an expert sees only rooms they were invited to, and contacts only when the citizen allows', async () => {
    expect((await expert.get(`/api/appeals/${appealId}`)).status).toBe(404);
    expect((await expert.get('/api/appeals/invited')).body.items).toEqual([]);
    expect((await foreignOperator.post(`/api/appeals/${appealId}/experts`, { expertId: expert.user.id })).status).toBe(404);
    expect((await operator.post(`/api/appeals/${appealId}/experts`, { expertId: expert.user.id })).status).toBe(200);
    // One journal entry for the one invitation that took effect, none for the refused one.
    const invited = (await server.store.audit.list(0, 10_000)).filter((e) => e.action === 'appeal.expert_invited' && e.subjectId === appealId);
    expect(invited.map((e) => [e.actorId, e.details])).toEqual([[operator.user.id, { expertId: expert.user.id }]]);
    const seen = await expert.get(`/api/appeals/${appealId}`);
    expect(seen.status).toBe(200);
    expect(seen.body.appeal.citizen).toBeNull();
    expect(seen.body.appeal.actions).toEqual([]);
    expect((await expert.get('/api/appeals/invited')).body.items.map((a: { id: string }) => a.id)).toEqual([appealId]);
    // The operator has not taken it: no contacts for them either (PRODUCT.md §8; appeal-view-privacy.test.ts has the whole rule).
    expect((await operator.get(`/api/appeals/${appealId}`)).body.appeal.citizen).toBeNull();

    expect((await citizen.put(`/api/appeals/${appealId}/privacy`, { expertsSeeContacts: true })).status).toBe(200);
    expect((await expert.get(`/api/appeals/${appealId}`)).body.appeal.citizen.email).toBe('citizen@demo.local');
  });

  it('query operators in bodies and query strings never widen a filter', async () => {
    const body = await citizen.post('/api/public/status', { number: { $ne: null }, accessCode: { $ne: null } });
    expect(body.status).toBe(400);
    const login = await new TestClient(server.url).post('/api/auth/login', { login: { $ne: null }, password: { $gt: '' } });
    expect(login.status).toBe(400);
    const plain = await operator.get('/api/queue?limit=100');
    const crafted = await operator.get('/api/queue?limit=100&status[$ne]=draft&departmentId[$ne]=x');
    // The simple query parser keeps `status[$ne]` as a key of its own, which the schema drops.
    expect(crafted.status).toBe(200);
    expect(crafted.body.total).toBe(plain.body.total);
    expect((await operator.get('/api/queue?status=bogus')).status).toBe(400);
  });

  it('the staff directory gives officers names and ids of experts and their department only', async () => {
    const dir = await operator.get('/api/staff');
    expect(dir.status).toBe(200);
    expect(dir.body.experts.map((e: { id: string }) => e.id)).toContain(expert.user.id);
    const roles = new Set(dir.body.officers.map((o: { role: string }) => o.role));
    expect([...roles].sort()).toEqual(['operator', 'supervisor']);
    expect(dir.body.officers.map((o: { id: string }) => o.id)).not.toContain(foreignOperator.user.id);
    expect(JSON.stringify(dir.body)).not.toMatch(/@|\+7/); // no contacts
    expect((await citizen.get('/api/staff')).status).toBe(403);
    expect((await expert.get('/api/staff')).status).toBe(403);
  });

  it('shows the assignee by name once taken', async () => {
    const { appeal } = await fileAppeal(citizen);
    await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' });
    expect((await citizen.get(`/api/appeals/${appeal.id}`)).body.appeal.assigneeName).toBe(operator.user.fullName);
  });

  it('unauthenticated requests get 401, malformed ids 404, and API responses are not cached', async () => {
    const anon = new TestClient(server.url);
    const res = await anon.get(`/api/appeals/${appealId}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await citizen.get('/api/appeals/..%2F..%2Fetc')).status).toBe(404);
  });
});
