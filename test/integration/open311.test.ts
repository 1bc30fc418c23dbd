/**
 * Open311 GeoReport v2, read-only, on the real server (docs/oversight.md):
 * the replies validate against the spec's shapes (JSON, and XML parsed back),
 * the spec's filters work, refusals are Open311's `[{ code, description }]`,
 * every request needs a live API key with its own rate limit, only appeals
 * whose citizen allowed it appear, and no reply carries the citizen's name,
 * e-mail, phone or ИНН — not even when the citizen wrote their name into the
 * appeal's text.
 */
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

// The GeoReport v2 shapes: the fields and types of the spec's examples (wiki.open311.org/GeoReport_v2).
const serviceSchema = z.strictObject({
  service_code: z.string().min(1),
  service_name: z.string().min(1),
  description: z.string(),
  metadata: z.boolean(),
  type: z.enum(['realtime', 'batch', 'blackbox']),
  keywords: z.string(),
  group: z.string(),
});
const attributeSchema = z.strictObject({
  variable: z.boolean(),
  code: z.string().min(1),
  datatype: z.enum(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']),
  required: z.boolean(),
  datatype_description: z.string(),
  order: z.number().int().positive(),
  description: z.string(),
});
const definitionSchema = z.strictObject({ service_code: z.string(), attributes: z.array(attributeSchema) });
const w3c = z.iso.datetime({ offset: true });
const requestSchema = z.strictObject({
  service_request_id: z.string().min(1),
  status: z.enum(['open', 'closed']),
  status_notes: z.string(),
  service_name: z.string(),
  service_code: z.string(),
  description: z.string(),
  agency_responsible: z.string(),
  service_notice: z.string().optional(),
  requested_datetime: w3c,
  updated_datetime: w3c,
  expected_datetime: w3c.optional(),
  address: z.string().optional(),
  address_id: z.string().optional(),
  zipcode: z.string().optional(),
  lat: z.number().optional(),
  long: z.number().optional(),
  media_url: z.string().optional(),
});
const errorsSchema = z.array(z.strictObject({ code: z.number().int(), description: z.string().min(1) })).length(1);

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ['service', 'request', 'error', 'attribute'].includes(name) });

let server: TestServer;
let citizen: TestClient;
let admin: TestClient;
let operator: TestClient;
let me: { fullName: string; email: string; phone: string; inn: string };
let published: { id: string; number: string };
let privateOne: { id: string; number: string };
let key: string;
/** Every raw body the API gave, for the personal-data check. */
const bodies: string[] = [];

async function open311(path: string, apiKey: string | null = key): Promise<{ status: number; text: string; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = apiKey === null ? {} : { 'x-api-key': apiKey };
  const res = await fetch(`${server.url}/open311/v2/${path}`, { headers });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, text, json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null, headers: res.headers };
}

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  admin = await loginAs(server, 'admin');
  const cats = (await citizen.get('/api/categories')).body.items as { code: string; departmentId: string }[];
  const deps = (await citizen.get('/api/departments')).body.items as { id: string; code: string }[];
  const dep = deps.find((d) => d.id === cats.find((c) => c.code === 'portal_issues')!.departmentId)!;
  operator = await loginAs(server, `operator.${dep.code}`);
  const profile = (await citizen.get('/api/me')).body.user;
  me = { fullName: profile.fullName, email: profile.email, phone: profile.phone, inn: profile.inn };
  expect(me.inn).toMatch(/^\d{12}$/);
  const text = `Я, ${me.fullName}, ИНН ${me.inn}, телефон ${me.phone}, почта ${me.email}: кнопка «Оплатить» не отвечает.`;
  published = (await fileAppeal(citizen, 'portal_issues', { description: text, subject: 'Не работает кнопка оплаты' })).appeal;
  privateOne = (await fileAppeal(citizen, 'portal_issues', { description: text, subject: 'Личное обращение' })).appeal;
  const created = await admin.post('/api/admin/api-keys', { name: 'Портал открытых данных', ratePerMinute: 1000 });
  expect(created.status).toBe(201);
  key = created.body.secret;
});
afterAll(async () => {
  await server.stop();
});

describe('publication is the citizen’s choice', () => {
  it('is off by default; the citizen turns it on, journalled; staff may read it but not change it', async () => {
    expect((await citizen.get(`/api/appeals/${published.id}/publicity`)).body).toEqual({ public: false });
    expect((await operator.put(`/api/appeals/${published.id}/publicity`, { public: true })).status).toBe(403);
    expect((await citizen.put(`/api/appeals/${published.id}/publicity`, { public: 'yes' })).status).toBe(400);
    const on = await citizen.put(`/api/appeals/${published.id}/publicity`, { public: true });
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ public: true });
    expect((await operator.get(`/api/appeals/${published.id}/publicity`)).body).toEqual({ public: true });
    const expert = await loginAs(server, 'expert');
    expect((await expert.get(`/api/appeals/${published.id}/publicity`)).status).toBe(404);
    const journal = await admin.get(`/api/audit?action=appeal.publicity_changed&appeal=${published.number}`);
    expect(journal.body.items).toHaveLength(1);
    expect(journal.body.items[0].changes).toEqual([{ field: 'public', before: 'false', after: 'true' }]);
  });
});

describe('the API keys', () => {
  it('shows a key once, lists it without the secret, refuses requests without a live key, and limits each key on its own', async () => {
    const list = await admin.get('/api/admin/api-keys');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(list.body.items[0]).toMatchObject({ name: 'Портал открытых данных', ratePerMinute: 1000, revokedAt: null, prefix: key.slice(0, 12) });
    expect((await operator.get('/api/admin/api-keys')).status).toBe(403);
    expect((await admin.post('/api/admin/api-keys', { name: '', ratePerMinute: 5 })).status).toBe(400);

    const none = await open311('services.json', null);
    expect(none.status).toBe(403);
    errorsSchema.parse(none.json);
    expect((await open311('services.json', 'cr311_wrong')).status).toBe(403);
    expect((await fetch(`${server.url}/open311/v2/services.json?api_key=${key}`)).status).toBe(200);

    const small = (await admin.post('/api/admin/api-keys', { name: 'Тест лимита', ratePerMinute: 3 })).body as { key: { id: string }; secret: string };
    for (let i = 0; i < 3; i++) expect((await open311('services.json', small.secret)).status).toBe(200);
    const limited = await open311('services.json', small.secret);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(errorsSchema.parse(limited.json)[0]?.code).toBe(429);
    // The other key's budget is its own.
    expect((await open311('services.json')).status).toBe(200);

    const revoked = await admin.request('DELETE', `/api/admin/api-keys/${small.key.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.key.revokedAt).toEqual(expect.any(Number));
    expect((await open311('services.json', small.secret)).status).toBe(403);
  });
});

describe('GeoReport v2', () => {
  it('lists the categories as services, in JSON and XML, and a category’s fields as attributes', async () => {
    const json = await open311('services.json');
    expect(json.status).toBe(200);
    const services = z.array(serviceSchema).parse(json.json);
    const portal = services.find((s) => s.service_code === 'portal_issues');
    expect(portal).toBeDefined();
    const asXml = await open311('services.xml');
    expect(asXml.headers.get('content-type')).toContain('application/xml');
    const parsed = xml.parse(asXml.text) as { services: { service: Record<string, string>[] } };
    expect(parsed.services.service.map((s) => s.service_code)).toEqual(services.map((s) => s.service_code));
    expect(parsed.services.service[0]?.service_name).toBe(services[0]?.service_name);

    const withFields = services.find((s) => s.metadata)!;
    const def = definitionSchema.parse((await open311(`services/${withFields.service_code}.json`)).json);
    expect(def.service_code).toBe(withFields.service_code);
    expect(def.attributes.length).toBeGreaterThan(0);
    expect(def.attributes.map((a) => a.order)).toEqual(def.attributes.map((_a, i) => i + 1));
    const defXml = xml.parse((await open311(`services/${withFields.service_code}.xml`)).text) as {
      service_definition: { attributes: { attribute: unknown[] } };
    };
    expect(defXml.service_definition.attributes.attribute).toHaveLength(def.attributes.length);

    const unknown = await open311('services/no_such_code.json');
    expect(unknown.status).toBe(404);
    expect(errorsSchema.parse(unknown.json)[0]).toEqual({ code: 404, description: 'Неизвестный service_code: no_such_code' });
  });

  it('lists the published appeals only, with the spec’s filters, in JSON and XML', async () => {
    const all = await open311('requests.json');
    expect(all.status).toBe(200);
    const requests = z.array(requestSchema).parse(all.json);
    expect(requests.map((r) => r.service_request_id)).toEqual([published.number]);
    expect(requests[0]).toMatchObject({
      status: 'open',
      status_notes: 'Принято',
      service_code: 'portal_issues',
      description: 'Не работает кнопка оплаты',
    });
    const parsed = xml.parse((await open311('requests.xml')).text) as { service_requests: { request: Record<string, string>[] } };
    expect(parsed.service_requests.request.map((r) => r.service_request_id)).toEqual([published.number]);
    expect(parsed.service_requests.request[0]?.status).toBe('open');

    const ids = (q: string) =>
      open311(`requests.json?${q}`).then((r) =>
        z
          .array(requestSchema)
          .parse(r.json)
          .map((x) => x.service_request_id),
      );
    expect(await ids(`service_request_id=${published.number},${privateOne.number}`)).toEqual([published.number]);
    expect(await ids('service_code=portal_issues')).toEqual([published.number]);
    expect(await ids('service_code=housing_outage')).toEqual([]);
    expect(await ids('status=open')).toEqual([published.number]);
    expect(await ids('status=closed')).toEqual([]);
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const inAnHour = new Date(Date.now() + 3600_000).toISOString();
    expect(await ids(`start_date=${hourAgo}&end_date=${inAnHour}`)).toEqual([published.number]);
    expect(await ids(`start_date=${inAnHour}`)).toEqual([]);
    expect(await ids(`end_date=${hourAgo}`)).toEqual([]);

    const one = await open311(`requests/${published.number}.json`);
    expect(z.array(requestSchema).length(1).parse(one.json)[0]?.service_request_id).toBe(published.number);
    const hidden = await open311(`requests/${privateOne.number}.json`);
    expect(hidden.status).toBe(404);
    errorsSchema.parse(hidden.json);
  });

  it('refuses a malformed date, a period that runs backwards, an unknown service_code and status with Open311 errors, in JSON and XML', async () => {
    for (const [q, text] of [
      ['start_date=вчера', 'start_date: дата и время в формате W3C'],
      ['end_date=2026-13-45T00:00:00Z', 'end_date: дата и время в формате W3C'],
      ['start_date=2026-05-02T00:00:00Z&end_date=2026-05-01T00:00:00Z', 'start_date позже, чем end_date'],
      ['service_code=portal_issues,no_such_code', 'Неизвестный service_code: no_such_code'],
      ['status=pending', 'status: open или closed'],
    ] as const) {
      const res = await open311(`requests.json?${q}`);
      expect(res.status).toBe(400);
      const [error] = errorsSchema.parse(res.json);
      expect(error?.code).toBe(400);
      expect(error?.description).toContain(text);
    }
    const asXml = await open311('requests.xml?start_date=x');
    expect(asXml.status).toBe(400);
    const parsed = xml.parse(asXml.text) as { errors: { error: { code: string; description: string }[] } };
    expect(parsed.errors.error[0]?.code).toBe('400');
    expect((await open311('requests.csv')).status).toBe(404);
  });

  it('never gives out the citizen’s name, e-mail, phone or ИНН', () => {
    expect(bodies.length).toBeGreaterThan(20);
    const all = bodies.join('\n');
    for (const value of [me.fullName, me.email, me.phone, me.inn, me.fullName.split(' ')[0]!]) expect(all).not.toContain(value);
    expect(all).toContain(published.number);
    expect(all).not.toContain(privateOne.number);
  });
});
