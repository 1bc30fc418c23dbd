/**
 * Linked and collective appeals (PRODUCT.md §11) on the real server (SQLite,
 * port 0): staff link appeals into a group and unlink them; the refusals
 * (across categories without a supervisor, an appeal of another group, a
 * citizen); duplicates suggested by address, account and similar text; one
 * status for the group on every member, each citizen told, or on none; and
 * two citizens' appeals in one group: neither citizen's REST replies nor
 * socket ever carry the other's name, contacts, files or chat, nor the
 * staff's notes.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, RoomJoined } from '../../shared/protocol/events.js';
import { clientId, closeAllSockets, collect, connect, ok, until, type ClientSocket } from '../helpers/realtime.js';
import { pdfBytes, formWith } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { INITIAL_CONSENT } from '../../server/domain/accounts/consent.js';

let server: TestServer;
let citizen: TestClient;
let neighbour: TestClient;
let operator: TestClient;
let supervisor: TestClient;
let housingOperator: TestClient;

const NEIGHBOUR = { fullName: 'Смирнова Анна Петровна', email: `anna-${Date.now()}@mail.ru`, phone: `+79${String(Date.now()).slice(-9)}` };

async function outboxCode(channel: 'email' | 'sms', to: string): Promise<string> {
  const file = path.join(server.dataDir, 'outbox.log');
  let code: string | undefined;
  await until(
    () => {
      if (!existsSync(file)) return false;
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { channel: string; to: string; text: string });
      code = /\b(\d{6})\b/.exec(lines.filter((l) => l.channel === channel && l.to === to).at(-1)?.text ?? '')?.[1];
      return code !== undefined;
    },
    5000,
    `a ${channel} code to ${to}`,
  );
  return code ?? '';
}

/** A second citizen, registered and confirmed through the API. */
async function registerNeighbour(): Promise<TestClient> {
  const c = new TestClient(server.url);
  const reg = await c.post('/api/auth/register', {
    email: NEIGHBOUR.email,
    phone: NEIGHBOUR.phone,
    password: 'надёжный-пароль-42',
    fullName: NEIGHBOUR.fullName,
    birthDate: '1985-04-12',
    inn: '500100732259',
    address: 'г. Москва, ул. Тверская, д. 1',
    consentVersion: INITIAL_CONSENT.version,
  });
  expect(reg.status).toBe(201);
  const byChannel = Object.fromEntries(reg.body.codes.map((r: { channel: string; requestId: string }) => [r.channel, r.requestId]));
  expect((await c.post('/api/auth/confirm', { requestId: byChannel.email, code: await outboxCode('email', NEIGHBOUR.email) })).status).toBe(200);
  expect((await c.post('/api/auth/confirm', { requestId: byChannel.phone, code: await outboxCode('sms', NEIGHBOUR.phone) })).status).toBe(200);
  return c;
}

const housing = (address: string, account: string, description: string) => ({
  type: 'application',
  subject: 'Неверное начисление за отопление',
  description,
  extra: { accountNumber: account, propertyAddress: address },
});

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  supervisor = await loginAs(server, 'supervisor.portal');
  housingOperator = await loginAs(server, 'operator.housing');
  neighbour = await registerNeighbour();
});
afterEach(() => {
  closeAllSockets();
});
afterAll(async () => {
  closeAllSockets();
  await server.stop();
});

const filed = async (
  who: TestClient,
  category = 'portal_issues',
  overrides: Record<string, unknown> = { type: 'application' },
): Promise<{ id: string; number: string }> => (await fileAppeal(who, category, overrides)).appeal;

describe('linking and unlinking', () => {
  it('an operator links two appeals of one category; staff see the group with numbers and subjects only; unlinking the second dissolves it', async () => {
    const a = await filed(citizen);
    const b = await filed(neighbour);
    const linked = await operator.post('/api/appeal-groups', { appealIds: [a.id, b.id] });
    expect(linked.status).toBe(201);
    expect(linked.body.group.members.map((m: { number: string }) => m.number)).toEqual([a.number, b.number]);
    expect(Object.keys(linked.body.group.members[0]).sort()).toEqual(['categoryId', 'departmentId', 'id', 'number', 'status', 'subject']);
    expect((await supervisor.get(`/api/appeals/${b.id}/group`)).body.group.id).toBe(linked.body.group.id);

    const c = await filed(citizen);
    const grown = await operator.post('/api/appeal-groups', { appealIds: [a.id, c.id] });
    expect(grown.body.group).toMatchObject({ id: linked.body.group.id, version: 2 });
    expect(grown.body.group.members).toHaveLength(3);

    expect((await operator.request('DELETE', `/api/appeals/${c.id}/group`)).body.group.members).toHaveLength(2);
    expect((await operator.request('DELETE', `/api/appeals/${b.id}/group`)).body).toEqual({ group: null });
    expect((await operator.get(`/api/appeals/${a.id}/group`)).body).toEqual({ group: null });
    const audit = (await server.store.audit.list(0, 100_000)).filter((e) => e.subjectId === linked.body.group.id).map((e) => e.action);
    expect(audit).toEqual(['appeal_group.link', 'appeal_group.link', 'appeal_group.unlink', 'appeal_group.unlink']);
  });

  it('a supervisor links appeals of two departments; an operator cannot reach the other department’s appeal (NOT_FOUND)', async () => {
    const a = await filed(citizen);
    const b = await filed(citizen, 'portal_issues');
    const other = (await fileAppeal(citizen, 'taxes', { type: 'application' })).appeal;
    const acrossBySupervisor = await supervisor.post('/api/appeal-groups', { appealIds: [a.id, other.id] });
    expect(acrossBySupervisor.status).toBe(201);
    await supervisor.request('DELETE', `/api/appeals/${other.id}/group`);
    const byOperator = await operator.post('/api/appeal-groups', { appealIds: [a.id, other.id] });
    // The operator cannot even see the tax office's appeal.
    expect(byOperator.status).toBe(404);
    expect((await operator.post('/api/appeal-groups', { appealIds: [a.id, b.id] })).status).toBe(201);
  });

  it('refuses an operator linking two of its department’s appeals of different categories, with the reason', async () => {
    const cats = (await citizen.get('/api/categories')).body.items as { id: string; code: string; departmentId: string }[];
    const portal = cats.find((c) => c.code === 'portal_issues')!;
    const sibling = cats.find((c) => c.departmentId === portal.departmentId && c.id !== portal.id);
    const a = await filed(citizen);
    if (!sibling) {
      // One category in the portal's department: the rule is proven with housing's two categories.
      const h1 = (await fileAppeal(citizen, 'housing_billing', housing('ул. Ленина, 1', '100', 'Счёт за отопление завышен'))).appeal;
      const h2 = (await fileAppeal(citizen, 'housing_outage', { type: 'application', extra: { propertyAddress: 'ул. Ленина, 1', outageSince: '2026-03-01' } }))
        .appeal;
      const res = await housingOperator.post('/api/appeal-groups', { appealIds: [h1.id, h2.id] });
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ code: 'FORBIDDEN', message: 'Связать обращения разных тем или ведомств может только руководитель' });
      expect((await housingOperator.get(`/api/appeals/${h1.id}/group`)).body).toEqual({ group: null });
      return;
    }
    const b = (await fileAppeal(citizen, sibling.code, { type: 'application' })).appeal;
    const res = await operator.post('/api/appeal-groups', { appealIds: [a.id, b.id] });
    expect(res.body.error).toEqual({ code: 'FORBIDDEN', message: 'Связать обращения разных тем или ведомств может только руководитель' });
  });

  it('refuses an appeal of another group (CONFLICT), a citizen (NOT_FOUND) and fewer than two appeals (VALIDATION_FAILED)', async () => {
    const [a, b, c, d] = [await filed(citizen), await filed(citizen), await filed(citizen), await filed(citizen)];
    expect((await operator.post('/api/appeal-groups', { appealIds: [a.id, b.id] })).status).toBe(201);
    expect((await operator.post('/api/appeal-groups', { appealIds: [c.id, d.id] })).status).toBe(201);
    const res = await operator.post('/api/appeal-groups', { appealIds: [a.id, c.id] });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(`Обращение ${c.number} уже связано с другой группой`);
    expect((await citizen.post('/api/appeal-groups', { appealIds: [a.id, b.id] })).status).toBe(404);
    expect((await citizen.get(`/api/appeals/${a.id}/group`)).status).toBe(404);
    expect((await operator.post('/api/appeal-groups', { appealIds: [a.id] })).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('duplicates suggested to the officer', () => {
  it('finds appeals of the category with the same address or account, or a similar text, and not the unrelated one', async () => {
    const mine = (
      await fileAppeal(citizen, 'housing_billing', housing('г. Москва, ул. Ленина, д. 5', '7700123', 'Завышен счёт за отопление в январе, прошу перерасчёт'))
    ).appeal;
    const sameAddress = (await fileAppeal(neighbour, 'housing_billing', housing('г. москва ул. ленина д 5', '7700999', 'Совсем другой вопрос о воде'))).appeal;
    const similar = (await fileAppeal(neighbour, 'housing_billing', housing('ул. Мира, 2', '7700555', 'Завышен счёт за отопление в январе, нужен перерасчёт')))
      .appeal;
    const unrelated = (await fileAppeal(neighbour, 'housing_billing', housing('ул. Садовая, 9', '7700777', 'Не пришла квитанция за февраль'))).appeal;
    const res = await housingOperator.get(`/api/appeals/${mine.id}/duplicates`);
    expect(res.status).toBe(200);
    const byId = new Map((res.body.items as { appeal: { id: string }; reasons: string[]; score: number }[]).map((d) => [d.appeal.id, d]));
    expect(byId.get(sameAddress.id)?.reasons).toEqual(['address']);
    expect(byId.get(similar.id)?.reasons).toEqual(['text']);
    expect(byId.get(similar.id)?.score).toBeGreaterThanOrEqual(0.3);
    expect(byId.has(unrelated.id)).toBe(false);
    expect(byId.has(mine.id)).toBe(false);
    expect(JSON.stringify(res.body)).not.toContain(NEIGHBOUR.fullName);
    expect((await citizen.get(`/api/appeals/${mine.id}/duplicates`)).status).toBe(404);
  });
});

describe('one status for the group', () => {
  it('a request for information goes to every member, each citizen told on their own socket; a member that cannot take it stops the whole decision before any change', async () => {
    const a = await filed(citizen);
    const b = await filed(neighbour);
    for (const x of [a, b]) expect((await operator.post(`/api/appeals/${x.id}/transitions`, { action: 'take' })).status).toBe(200);
    const group = (await operator.post('/api/appeal-groups', { appealIds: [a.id, b.id] })).body.group;

    const mine = await connect(server.url, citizen);
    await ok(mine, 'room:join', { appealId: a.id });
    const theirs = await connect(server.url, neighbour);
    await ok(theirs, 'room:join', { appealId: b.id });
    const toMine = collect<{ appealId: string; status: string }>(mine, 'status:changed');
    const toTheirs = collect<{ appealId: string; status: string }>(theirs, 'status:changed');

    const res = await operator.post(`/api/appeal-groups/${group.id}/transitions`, { action: 'request_info', comment: 'Пришлите фото счётчика' });
    expect(res.status).toBe(200);
    expect(res.body.group.members.map((m: { status: string }) => m.status)).toEqual(['info_requested', 'info_requested']);
    await until(() => toMine.length === 1 && toTheirs.length === 1, 3000, 'each citizen told');
    expect(toMine.map((p) => [p.appealId, p.status])).toEqual([[a.id, 'info_requested']]);
    expect(toTheirs.map((p) => [p.appealId, p.status])).toEqual([[b.id, 'info_requested']]);

    // The neighbour answers; the members' statuses differ: no group decision, nothing changed.
    expect((await neighbour.post(`/api/appeals/${b.id}/transitions`, { action: 'provide_info', comment: 'Фото приложено' })).status).toBe(200);
    const refused = await operator.post(`/api/appeal-groups/${group.id}/transitions`, { action: 'resume' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ code: 'INVALID_TRANSITION', message: 'Обращения группы в разных статусах: общее решение невозможно' });
    expect((await operator.get(`/api/appeals/${a.id}`)).body.appeal.status).toBe('info_requested');
    expect((await operator.get(`/api/appeals/${b.id}`)).body.appeal.status).toBe('in_progress');
    expect((await citizen.post(`/api/appeal-groups/${group.id}/transitions`, { action: 'resume' })).status).toBe(404);
  });
});

describe('privacy in a group', () => {
  it('neither citizen’s REST replies nor socket carry the other’s name, contacts, files or chat, nor the staff’s notes', async () => {
    const a = await filed(citizen);
    const b = await filed(neighbour);
    for (const x of [a, b]) expect((await operator.post(`/api/appeals/${x.id}/transitions`, { action: 'take' })).status).toBe(200);
    const group = (await operator.post('/api/appeal-groups', { appealIds: [a.id, b.id] })).body.group;
    const note = await operator.post(`/api/appeal-groups/${group.id}/notes`, { text: 'Общая авария на вводе, Смирнова и Иванов' });
    expect(note.status).toBe(201);
    expect((await supervisor.get(`/api/appeal-groups/${group.id}/notes`)).body.items.map((n: { text: string }) => n.text)).toEqual([
      'Общая авария на вводе, Смирнова и Иванов',
    ]);

    const mine = await connect(server.url, citizen);
    const seenByMine: unknown[] = [];
    mine.onAny((event: string, ...args: unknown[]) => seenByMine.push({ event, args }));
    const joined = await ok<RoomJoined>(mine, 'room:join', { appealId: a.id });
    seenByMine.push(joined);
    const theirs = await connect(server.url, neighbour);
    const seenByTheirs: unknown[] = [];
    theirs.onAny((event: string, ...args: unknown[]) => seenByTheirs.push({ event, args }));
    seenByTheirs.push(await ok<RoomJoined>(theirs, 'room:join', { appealId: b.id }));

    // Each citizen chats and files in their own room; the operator answers each, and writes to the group.
    const neighbourFile = await neighbour.request('POST', `/api/appeals/${b.id}/attachments`, formWith([{ name: 'akt-smirnova.pdf', bytes: pdfBytes('akt') }]));
    expect([200, 201]).toContain(neighbourFile.status);
    await ok<ChatMessage>(theirs, 'chat:send', { appealId: b.id, clientId: clientId(), text: 'Моя квартира 12, телефон в заявке' });
    await ok<ChatMessage>(mine, 'chat:send', { appealId: a.id, clientId: clientId(), text: 'У меня тоже нет отопления' });
    const opSocket: ClientSocket = await connect(server.url, operator);
    await ok(opSocket, 'room:join', { appealId: b.id });
    await ok<ChatMessage>(opSocket, 'chat:send', { appealId: b.id, clientId: clientId(), text: 'Анна Петровна, бригада выехала' });
    await operator.post(`/api/appeal-groups/${group.id}/transitions`, { action: 'request_info', comment: 'Сообщите показания' });
    await until(() => seenByMine.some((e) => JSON.stringify(e).includes('info_requested')), 3000, 'the citizen told of the group decision');

    const rest = [
      await citizen.get(`/api/appeals/${a.id}`),
      await citizen.get('/api/appeals/mine?limit=50&offset=0'),
      await citizen.get(`/api/appeals/${a.id}/history`),
      await citizen.get(`/api/appeals/${a.id}/attachments`),
      await citizen.get(`/api/appeals/${a.id}/group`),
      await citizen.get(`/api/appeals/${a.id}/duplicates`),
      await citizen.get(`/api/appeal-groups/${group.id}/notes`),
      await citizen.get(`/api/appeals/${b.id}`),
      await citizen.get(`/api/appeals/${b.id}/attachments`),
    ];
    expect(rest.slice(4).map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    const mineText = JSON.stringify([rest.map((r) => r.body), seenByMine, await ok(mine, 'chat:history', { appealId: a.id, limit: 200 })]);
    for (const secret of [
      NEIGHBOUR.fullName,
      NEIGHBOUR.email,
      NEIGHBOUR.phone,
      'akt-smirnova',
      'квартира 12',
      'Анна Петровна',
      'Общая авария',
      b.id,
      b.number,
      group.id,
    ]) {
      expect(mineText).not.toContain(secret);
    }
    const theirsRest = [
      await neighbour.get(`/api/appeals/${b.id}`),
      await neighbour.get('/api/appeals/mine?limit=50&offset=0'),
      await neighbour.get(`/api/appeals/${b.id}/history`),
    ];
    const theirsText = JSON.stringify([theirsRest.map((r) => r.body), seenByTheirs, await ok(theirs, 'chat:history', { appealId: b.id, limit: 200 })]);
    const me = (await citizen.get('/api/me')).body.user as { fullName: string; email: string; phone: string };
    for (const secret of [me.fullName, me.email, me.phone, 'тоже нет отопления', 'Общая авария', a.id, a.number, group.id]) {
      expect(theirsText).not.toContain(secret);
    }
  });
});
