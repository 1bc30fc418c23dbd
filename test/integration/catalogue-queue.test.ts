/**
 * The catalogue (admin edits, suggestions) and the department queue (filters,
 * overdue, paging) against the real server, with a clock the test moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

const DAY = 24 * 3600 * 1000;
const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
let server: TestServer;
let admin: TestClient;
let citizen: TestClient;
let operator: TestClient;

beforeAll(async () => {
  server = await startTestServer({ clock });
  admin = await loginAs(server, 'admin');
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.housing');
});
afterAll(async () => {
  await server.stop();
});

describe('catalogue', () => {
  it('seeds the eleven categories of PRODUCT.md §5 with departments, deadlines and fields', async () => {
    const cats = (await citizen.get('/api/categories')).body.items;
    expect(cats).toHaveLength(11);
    const billing = cats.find((c: { code: string }) => c.code === 'housing_billing');
    expect(billing).toMatchObject({ name: 'ЖКХ — начисления', deadlineDays: 30 });
    expect(billing.extraFields.map((f: { key: string }) => f.key)).toContain('accountNumber');
    const deps = (await citizen.get('/api/departments')).body.items;
    expect(deps.find((d: { id: string }) => d.id === billing.departmentId)).toMatchObject({ code: 'housing', region: '77' });
  });

  it('suggests a category from the citizen’s words', async () => {
    const res = await citizen.post('/api/categories/suggest', { text: 'Пришла квитанция с неправильным начислением, прошу перерасчёт' });
    expect(res.body.items[0].name).toBe('ЖКХ — начисления');
    expect((await citizen.post('/api/categories/suggest', { text: 'абракадабра' })).body.items).toEqual([]);
  });

  it('lets only the admin create and edit departments and categories', async () => {
    const dep = { code: 'transport', name: 'Департамент транспорта', region: '77', level: 'regional' };
    expect((await citizen.post('/api/admin/departments', dep)).status).toBe(403);
    const created = await admin.post('/api/admin/departments', dep);
    expect(created.status).toBe(201);
    expect((await admin.post('/api/admin/departments', dep)).status).toBe(409);
    const cat = {
      code: 'transport_routes',
      name: 'Транспорт — маршруты',
      departmentId: created.body.department.id,
      deadlineDays: 30,
      requiredDocuments: [],
      extraFields: [],
      keywords: ['автобус'],
    };
    expect((await operator.post('/api/admin/categories', cat)).status).toBe(403);
    const c = await admin.post('/api/admin/categories', cat);
    expect(c.status).toBe(201);
    expect((await admin.post('/api/admin/categories', { ...cat, code: 'x', deadlineDays: 0 })).status).toBe(400);
    await admin.patch(`/api/admin/categories/${c.body.category.id}`, { archived: true });
    expect((await citizen.get('/api/categories')).body.items.map((x: { code: string }) => x.code)).not.toContain('transport_routes');
    expect((await admin.get('/api/admin/categories')).body.items.map((x: { code: string }) => x.code)).toContain('transport_routes');
    expect((await citizen.get('/api/admin/categories')).status).toBe(403);
  });
});

describe('department queue', () => {
  it('filters by status and assignee, sorts by deadline, flags overdue after the clock passes the deadline, pages', async () => {
    const outage = await fileAppeal(citizen, 'housing_outage'); // 10 days
    const billing = await fileAppeal(citizen, 'housing_billing'); // 30 days
    await operator.post(`/api/appeals/${billing.appeal.id}/transitions`, { action: 'take' });

    const all = await operator.get('/api/queue?limit=100');
    const ids = all.body.items.map((a: { id: string }) => a.id);
    expect(ids.indexOf(outage.appeal.id)).toBeLessThan(ids.indexOf(billing.appeal.id));
    expect((await operator.get('/api/queue?status=in_progress')).body.items.map((a: { id: string }) => a.id)).toEqual([billing.appeal.id]);
    expect((await operator.get('/api/queue?assignee=me')).body.items.map((a: { id: string }) => a.id)).toEqual([billing.appeal.id]);
    expect((await operator.get('/api/queue?assignee=none')).body.items.map((a: { id: string }) => a.id)).toEqual([outage.appeal.id]);

    expect((await operator.get('/api/queue?overdue=true')).body.total).toBe(0);
    clock.advance(11 * DAY);
    // Sessions expire after 12 idle hours: sign in again after the jump.
    operator = await loginAs(server, 'operator.housing');
    citizen = await loginAs(server, 'citizen');
    const overdue = await operator.get('/api/queue?overdue=true');
    expect(overdue.body.items.map((a: { id: string; overdue: boolean }) => [a.id, a.overdue])).toEqual([[outage.appeal.id, true]]);

    const page = await operator.get('/api/queue?limit=1&offset=1');
    expect(page.body.items).toHaveLength(1);
    expect(page.body.total).toBe(2);
    expect((await citizen.get('/api/queue')).status).toBe(403);
  });

  it('auto-confirms a proposed resolution nobody disputed within five days', async () => {
    const { appeal } = await fileAppeal(citizen, 'housing_outage');
    await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' });
    await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'propose_resolution', comment: 'Подача воды восстановлена' });
    clock.advance(4 * DAY);
    expect(await server.services.appeals.autoConfirmDue()).toBe(0);
    clock.advance(1 * DAY + 1);
    expect(await server.services.appeals.autoConfirmDue()).toBe(1);
    citizen = await loginAs(server, 'citizen');
    const h = (await citizen.get(`/api/appeals/${appeal.id}/history`)).body.items.at(-1);
    expect(h).toMatchObject({ to: 'completed', actorRole: 'system', action: 'auto_confirm' });
  });
});
