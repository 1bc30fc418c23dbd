/**
 * Live lists, the wall's query and observers, against the real server
 * (127.0.0.1, port 0, SQLite in a temp DATA_DIR) with real socket.io and Yjs
 * clients:
 * - `lists:watch` / `list:changed`: a new appeal, a take, an invitation, a
 *   reassignment, a message and an expert's removal each reach exactly the
 *   people whose lists show the appeal — and an outsider (an operator of
 *   another department, another citizen, an expert not invited) hears nothing;
 *   an internal note never reaches the citizen; the hint is the id and the
 *   reason, nothing else;
 * - `appeal:updated` reaching the former assignee's room on a reassignment;
 * - two officers taking one appeal at once: the loser is told who won;
 * - `GET /api/wall`: open rooms selected in the query, paged, with the assignee;
 * - an observer (a supervisor who has not taken the appeal) shown to staff as
 *   such and never to the citizen: presence, the join ack and the editor's awareness.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ListChanged, PresencePerson, RoomJoined, WallRoom } from '../../shared/protocol/events.js';
import { listChangedSchema } from '../../shared/schemas/realtime.schema.js';
import { wallRoomSchema } from '../../shared/schemas/wall.schema.js';
import { DAY, HOUR, makeRegisteredAppeal } from '../helpers/factories.js';
import { clientId, closeAllSockets, collect, connect, next, ok, request, type ClientSocket } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs, waitFor } from '../helpers/yjs.js';

let server: TestServer;
let citizen: TestClient;
let otherCitizen: TestClient;
let operator: TestClient;
let operator2: TestClient;
let supervisor: TestClient;
let stranger: TestClient;
let expert: TestClient;
let admin: TestClient;

/** Long enough for a hint that is coming to have come (chat hints are gathered for 250 ms). */
const SETTLE_MS = 600;
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, SETTLE_MS));

beforeAll(async () => {
  server = await startTestServer();
  [citizen, operator, supervisor, stranger, expert, admin] = await Promise.all([
    loginAs(server, 'citizen'),
    loginAs(server, 'operator.portal'),
    loginAs(server, 'supervisor.portal'),
    loginAs(server, 'operator.housing'),
    loginAs(server, 'expert'),
    loginAs(server, 'admin'),
  ]);
  const made = await Promise.all([
    admin.post('/api/admin/users', {
      email: 'second.citizen@example.ru',
      phone: '+79990002233',
      password: 'второй-пароль-42',
      fullName: 'Сидорова Анна Павловна',
      role: 'citizen',
    }),
    admin.post('/api/admin/users', {
      email: 'second.operator@example.ru',
      phone: '+79990003344',
      password: 'второй-пароль-43',
      fullName: 'Кузнецов Олег Игоревич',
      role: 'operator',
      departmentId: operator.user.departmentId,
    }),
  ]);
  expect(made.map((r) => r.status)).toEqual([201, 201]);
  otherCitizen = await new TestClient(server.url).login('second.citizen@example.ru', 'второй-пароль-42');
  operator2 = await new TestClient(server.url).login('second.operator@example.ru', 'второй-пароль-43');
});

afterEach(() => {
  closeAllSockets();
  closeAllYjs();
});
afterAll(async () => {
  closeAllSockets();
  closeAllYjs();
  await server.stop();
});

/** A socket of `client` watching its lists, and every hint it receives from now on. */
async function watching(client: TestClient): Promise<{ socket: ClientSocket; hints: ListChanged[] }> {
  const socket = await connect(server.url, client);
  const hints = collect<ListChanged>(socket, 'list:changed');
  expect(await ok(socket, 'lists:watch', {})).toBeNull();
  return { socket, hints };
}

const reasonsFor = (hints: ListChanged[], appealId: string): string[] => hints.filter((h) => h.appealId === appealId).map((h) => h.reason);

describe('lists:watch', () => {
  it('refuses the admin (no list of appeals) with FORBIDDEN and a payload with extra fields with VALIDATION_FAILED', async () => {
    const socket = await connect(server.url, admin);
    expect(await request(socket, 'lists:watch', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const mine = await connect(server.url, operator);
    expect(await request(mine, 'lists:watch', { departmentId: stranger.user.departmentId })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });

  it('tells each change to the lists that show the appeal, and nothing to an outsider', async () => {
    const [op, op2, sup, cit, exp, other, foreign] = await Promise.all([
      watching(operator),
      watching(operator2),
      watching(supervisor),
      watching(citizen),
      watching(expert),
      watching(otherCitizen),
      watching(stranger),
    ]);
    const insiders = { operator: op, operator2: op2, supervisor: sup, citizen: cit };

    // A new appeal: the department's queue and the citizen's own list.
    const { appeal } = await fileAppeal(citizen);
    const id: string = appeal.id;
    for (const [who, w] of Object.entries(insiders)) {
      await expect.poll(() => reasonsFor(w.hints, id), { timeout: 3000, message: who }).toEqual(['created']);
    }

    // Taken into work.
    expect((await operator.post(`/api/appeals/${id}/transitions`, { action: 'take' })).status).toBe(200);
    for (const w of Object.values(insiders)) await expect.poll(() => reasonsFor(w.hints, id)).toEqual(['created', 'status']);

    // The expert is invited: their invitations list gets it from now on.
    expect((await operator.post(`/api/appeals/${id}/experts`, { expertId: expert.user.id })).status).toBe(200);
    for (const w of [...Object.values(insiders), exp]) await expect.poll(() => reasonsFor(w.hints, id).at(-1)).toBe('experts');

    // Reassigned by the supervisor.
    expect((await supervisor.post(`/api/appeals/${id}/assign`, { assigneeId: operator2.user.id })).status).toBe(200);
    for (const w of [...Object.values(insiders), exp]) await expect.poll(() => reasonsFor(w.hints, id).at(-1)).toBe('assignee');

    // A citizen's message: everyone in the case.
    const room = await connect(server.url, citizen);
    await ok(room, 'room:join', { appealId: id });
    await ok(room, 'chat:send', { appealId: id, clientId: clientId(), text: 'Есть новости?' });
    for (const w of [...Object.values(insiders), exp]) await expect.poll(() => reasonsFor(w.hints, id).at(-1)).toBe('message');
    await settle();

    // An internal note: the staff and the expert, never the citizen.
    const citizenBefore = reasonsFor(cit.hints, id).length;
    const staffRoom = await connect(server.url, operator2);
    await ok(staffRoom, 'room:join', { appealId: id });
    await ok(staffRoom, 'chat:send', { appealId: id, clientId: clientId(), text: 'Проверить платёжный шлюз', internal: true });
    for (const w of [op, op2, sup, exp]) await expect.poll(() => reasonsFor(w.hints, id).filter((r) => r === 'message')).toHaveLength(2);
    await settle();
    expect(reasonsFor(cit.hints, id)).toHaveLength(citizenBefore);

    // The expert's invitation withdrawn: their list drops the appeal.
    expect((await operator2.request('DELETE', `/api/appeals/${id}/experts/${expert.user.id}`)).status).toBe(200);
    await expect.poll(() => reasonsFor(exp.hints, id)).toEqual(['experts', 'assignee', 'message', 'message', 'access']);
    for (const w of [op, op2, sup, cit]) await expect.poll(() => reasonsFor(w.hints, id).at(-1)).toBe('experts');

    await settle();
    // The outsiders heard nothing at all; every hint is the id and the reason only.
    expect(other.hints).toEqual([]);
    expect(foreign.hints).toEqual([]);
    for (const w of [op, op2, sup, cit, exp]) for (const h of w.hints) expect(listChangedSchema.parse(h)).toEqual(h);
    expect(Object.keys(op.hints[0]!).sort()).toEqual(['appealId', 'reason']);
  });

  it('a status change of one appeal reaches only its own citizen, not another citizen watching', async () => {
    const { appeal } = await fileAppeal(citizen);
    const cit = await watching(citizen);
    const other = await watching(otherCitizen);
    expect((await supervisor.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    await expect.poll(() => reasonsFor(cit.hints, appeal.id)).toEqual(['status']);
    await settle();
    expect(other.hints).toEqual([]);
  });
});

describe('reassignment and simultaneous takes', () => {
  it("a reassignment reaches the former assignee's open room as appeal:updated, and the appeal read again no longer offers them its actions", async () => {
    const { appeal } = await fileAppeal(citizen);
    expect((await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    const before = (await operator.get(`/api/appeals/${appeal.id}`)).body.appeal;
    expect(before.actions).toEqual(expect.arrayContaining(['request_info', 'propose_resolution', 'reject']));
    const socket = await connect(server.url, operator);
    await ok(socket, 'room:join', { appealId: appeal.id });
    const updated = next<{ appealId: string; changed: string[] }>(socket, 'appeal:updated', (p) => p.appealId === appeal.id);
    expect((await supervisor.post(`/api/appeals/${appeal.id}/assign`, { assigneeId: operator2.user.id })).status).toBe(200);
    expect(await updated).toEqual({ appealId: appeal.id, changed: ['assigneeId'] });
    const after = (await operator.get(`/api/appeals/${appeal.id}`)).body.appeal;
    expect(after).toMatchObject({ assigneeId: operator2.user.id, assigneeName: 'Кузнецов Олег Игоревич' });
    expect(after.actions).toEqual([]);
    // An outsider's socket hears nothing of it.
    const foreign = await connect(server.url, stranger);
    const heard = collect(foreign, 'appeal:updated');
    expect((await supervisor.post(`/api/appeals/${appeal.id}/assign`, { assigneeId: operator.user.id })).status).toBe(200);
    await settle();
    expect(heard).toEqual([]);
  });

  it('two officers take one appeal at once: one wins, the other is told who won (CONFLICT naming them)', async () => {
    for (let round = 0; round < 3; round++) {
      const { appeal } = await fileAppeal(citizen);
      const [a, b] = await Promise.all([
        operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' }),
        operator2.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [winner, loserReply] = a.status === 200 ? [operator, b] : [operator2, a];
      expect(loserReply.body.error).toEqual({ code: 'CONFLICT', message: `Обращение уже взял в работу другой сотрудник: ${winner.user.fullName}` });
      // Later, the same answer; the winner taking again is the status machine's refusal.
      const loser = winner === operator ? operator2 : operator;
      expect((await loser.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).body.error.message).toBe(
        `Обращение уже взял в работу другой сотрудник: ${winner.user.fullName}`,
      );
      expect((await winner.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).body.error.code).toBe('INVALID_TRANSITION');
    }
  });
});

describe('observers', () => {
  it('a supervisor who has not taken the appeal is an observer to staff and invisible to the citizen; taking part makes them an officer the citizen sees', async () => {
    const { appeal } = await fileAppeal(citizen);
    const id: string = appeal.id;
    expect((await operator.post(`/api/appeals/${id}/transitions`, { action: 'take' })).status).toBe(200);
    const cit = await connect(server.url, citizen);
    const op = await connect(server.url, operator);
    await ok(cit, 'room:join', { appealId: id });
    const operatorSeen = next<{ people: PresencePerson[] }>(cit, 'presence:changed', (p) => p.people.some((x) => x.userId === operator.user.id));
    await ok(op, 'room:join', { appealId: id });
    await operatorSeen;
    const atCitizen = collect<{ appealId: string; people: PresencePerson[] }>(cit, 'presence:changed');
    const atOperator = collect<{ appealId: string; people: PresencePerson[] }>(op, 'presence:changed');

    const sup = await connect(server.url, supervisor);
    const joined = await ok<RoomJoined>(sup, 'room:join', { appealId: id });
    expect(joined.presence.find((p) => p.userId === supervisor.user.id)).toMatchObject({ role: 'supervisor', roomRole: 'observer' });
    await expect
      .poll(() => atOperator.at(-1)?.people.map((p) => [p.userId, p.roomRole]))
      .toEqual([
        [citizen.user.id, 'owner'],
        [operator.user.id, 'officer'],
        [supervisor.user.id, 'observer'],
      ]);
    // The observer reads the citizen's message: the staff are told, the citizen is not.
    const readAtCitizen = collect(cit, 'chat:read');
    const sent = await ok<{ seq: number }>(cit, 'chat:send', { appealId: id, clientId: clientId(), text: 'Жду ответа' });
    const operatorHears = next<{ userId: string }>(op, 'chat:read', (r) => r.userId === supervisor.user.id);
    await ok(sup, 'chat:read', { appealId: id, seq: sent.seq });
    expect(await operatorHears).toEqual({ appealId: id, userId: supervisor.user.id, seq: sent.seq });
    // A citizen joining now is shown neither the observer nor their read mark.
    const again = await connect(server.url, citizen);
    const rejoined = await ok<RoomJoined>(again, 'room:join', { appealId: id });
    expect(rejoined.presence.map((p) => p.userId).sort()).toEqual([citizen.user.id, operator.user.id].sort());
    expect(Object.keys(rejoined.readMarks)).not.toContain(supervisor.user.id);
    expect((await ok<RoomJoined>(op, 'room:join', { appealId: id })).readMarks[supervisor.user.id]).toBe(sent.seq);
    await ok(sup, 'room:leave', { appealId: id });
    await expect.poll(() => atOperator.at(-1)?.people.map((p) => p.userId)).toEqual([citizen.user.id, operator.user.id]);
    await settle();
    // Neither the observer's coming nor going reached the citizen, not even as a repeat, nor their reading.
    expect(atCitizen).toEqual([]);
    expect(readAtCitizen).toEqual([]);

    // The supervisor assigns the appeal to themself: now a party, shown to the citizen as an officer.
    await ok(sup, 'room:join', { appealId: id });
    expect((await supervisor.post(`/api/appeals/${id}/assign`, { assigneeId: supervisor.user.id })).status).toBe(200);
    await expect.poll(() => atCitizen.at(-1)?.people.find((p) => p.userId === supervisor.user.id)?.roomRole, { timeout: 3000 }).toBe('officer');
  });

  it("an observer's editor awareness reaches nobody, while a writer's reaches the citizen", async () => {
    const { appeal } = await fileAppeal(citizen);
    const id: string = appeal.id;
    expect((await operator.post(`/api/appeals/${id}/transitions`, { action: 'take' })).status).toBe(200);
    const watcher = await openYjs(server.url, citizen.cookie, id);
    const staff = await openYjs(server.url, operator.cookie, id);
    const observer = await openYjs(server.url, supervisor.cookie, id);
    observer.provider.awareness.setLocalStateField('cursor', { anchor: 1, head: 1 });
    staff.provider.awareness.setLocalStateField('cursor', { anchor: 2, head: 2 });
    await waitFor(() => watcher.provider.awareness.getStates().get(staff.doc.clientID)?.cursor !== undefined, 3000, "the writer's caret");
    await settle();
    expect(watcher.provider.awareness.getStates().has(observer.doc.clientID)).toBe(false);
    expect(staff.provider.awareness.getStates().has(observer.doc.clientID)).toBe(false);
    // A newcomer's greeting does not carry it either.
    const late = await openYjs(server.url, citizen.cookie, id);
    await waitFor(() => late.provider.awareness.getStates().has(staff.doc.clientID), 3000, 'greeting');
    expect(late.provider.awareness.getStates().has(observer.doc.clientID)).toBe(false);
  });
});

// Last: the 1,000 appeals it stores slow every later query on FerretDB.
describe('the wall query', () => {
  it('GET /api/wall selects the open rooms in the query: 5 open among 1,000 closed, by deadline, paged, with the assignee', async () => {
    const boss = await loginAs(server, 'supervisor.housing');
    const departmentId = boss.user.departmentId as string;
    const now = Date.now();
    const closed = Array.from({ length: 1000 }, (_, i) =>
      makeRegisteredAppeal({
        number: `99-2026-${String(i).padStart(6, '0')}`,
        departmentId,
        status: i % 2 === 0 ? 'completed' : 'rejected',
        deadlineAt: now - DAY + i * 1000,
        createdAt: now - 2 * DAY,
      }),
    );
    for (let i = 0; i < closed.length; i += 100) await Promise.all(closed.slice(i, i + 100).map((a) => server.store.appeals.create(a)));
    const statuses = ['registered', 'in_progress', 'info_requested', 'awaiting_confirmation', 'in_progress'] as const;
    const open = statuses.map((status, i) =>
      makeRegisteredAppeal({
        number: `98-2026-${String(i).padStart(6, '0')}`,
        departmentId,
        citizenId: citizen.user.id,
        status,
        assigneeId: status === 'registered' ? null : stranger.user.id,
        deadlineAt: now + (i + 1) * HOUR,
        createdAt: now - DAY,
      }),
    );
    for (const a of open) await server.store.appeals.create(a);

    const all = await boss.get('/api/wall');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(5);
    expect(all.body.items.map((r: WallRoom) => r.appealId)).toEqual(open.map((a) => a.id));
    for (const row of all.body.items) expect(wallRoomSchema.strict().parse(row)).toEqual(row);
    expect(all.body.items.map((r: WallRoom) => r.assigneeName)).toEqual([null, ...Array(4).fill(stranger.user.fullName)]);
    expect(all.body.items.map((r: WallRoom) => r.status)).toEqual([...statuses]);

    const page = await boss.get('/api/wall?limit=2&offset=4');
    expect(page.body).toEqual({ items: [all.body.items[4]], total: 5 });
    expect((await boss.get('/api/wall?limit=2&offset=0')).body.items.map((r: WallRoom) => r.appealId)).toEqual([open[0]!.id, open[1]!.id]);
    // The socket's first page is the same query.
    const socket = await connect(server.url, boss);
    expect((await ok<WallRoom[]>(socket, 'wall:watch', {})).map((r) => r.appealId)).toEqual(open.map((a) => a.id));

    // Only a supervisor has a wall; a bad page is refused with its field.
    expect((await stranger.get('/api/wall')).body.error.code).toBe('FORBIDDEN');
    expect((await citizen.get('/api/wall')).body.error.code).toBe('FORBIDDEN');
    const bad = await boss.get('/api/wall?limit=1000');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { limit: expect.any(String) } });
    // 1,000 inserts take seconds on FerretDB (the server-mongo project).
  }, 120_000);
});
