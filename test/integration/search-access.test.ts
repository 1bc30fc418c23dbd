/**
 * Search across appeals per role (docs/search.md): a person never receives a
 * hit they could not open — not another department's appeal, not another
 * citizen's, not an internal note unless staff — and the citizen's name is
 * matched and shown only where the personal-data policy gives it. The index
 * follows live edits: chat posts, edits and withdrawals, internal notes, and
 * the co-edited description over Yjs. Bad queries get a clear 400.
 */
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import type { SearchHitView } from '../../shared/schemas/search.schema.js';
import { makeRegisteredAppeal, makeUser } from '../helpers/factories.js';
import { clientId, closeAllSockets, connect, ok, type ClientSocket } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs, waitFor } from '../helpers/yjs.js';

const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
let server: TestServer;
let citizen: TestClient;
let assignee: TestClient;
let colleague: TestClient;
let supervisor: TestClient;
let expert: TestClient;
let portalOperator: TestClient;
let admin: TestClient;
/** Housing, the citizen's, taken by `assignee`, the expert invited. */
let heating: string;
/** Housing, another citizen's. */
let neighbours: string;
/** Portal, the citizen's. */
let payment: string;
const sockets: ClientSocket[] = [];

const hitsOf = async (who: TestClient, q: string, extra = ''): Promise<SearchHitView[]> => {
  const res = await who.get(`/api/search?q=${encodeURIComponent(q)}${extra}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as SearchHitView[];
};
const idsOf = async (who: TestClient, q: string, extra = ''): Promise<string[]> => (await hitsOf(who, q, extra)).map((h) => h.id).sort();
const marked = (hit: SearchHitView | undefined, field: string): string[] =>
  (hit?.fragments ?? []).filter((f) => f.field === field).flatMap((f) => f.segments.filter((s) => s.mark).map((s) => s.text));
const settle = (): Promise<void> => server.searchIndex.idle();

async function joined(client: TestClient, appealId: string): Promise<ClientSocket> {
  const socket = await connect(server.url, client);
  await ok(socket, 'room:join', { appealId });
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  server = await startTestServer({ clock });
  citizen = await loginAs(server, 'citizen');
  assignee = await loginAs(server, 'operator.housing');
  supervisor = await loginAs(server, 'supervisor.housing');
  expert = await loginAs(server, 'expert');
  portalOperator = await loginAs(server, 'operator.portal');
  admin = await loginAs(server, 'admin');
  const created = await admin.post('/api/admin/users', {
    email: 'colleague.search@example.ru',
    phone: '+79990007788',
    password: 'коллега-пароль-77',
    fullName: 'Коллегова Мария',
    role: 'operator',
    departmentId: assignee.user.departmentId,
  });
  expect(created.status).toBe(201);
  colleague = await new TestClient(server.url).login('colleague.search@example.ru', 'коллега-пароль-77');

  heating = (
    await fileAppeal(citizen, 'housing_outage', {
      subject: 'Нет отопления в подъезде',
      description: 'Третью неделю в подъезде холодно, батареи ледяные.',
      extra: { propertyAddress: 'ул. Лесная, д. 7, кв. 3', outageSince: '2026-02-20' },
    })
  ).appeal.id;
  payment = (await fileAppeal(citizen, 'portal_issues', { subject: 'Не проходит оплата отопления', description: 'Кнопка оплаты зависает.' })).appeal.id;
  expect((await assignee.post(`/api/appeals/${heating}/transitions`, { action: 'take' })).status).toBe(200);
  expect((await assignee.post(`/api/appeals/${heating}/experts`, { expertId: expert.user.id })).status).toBe(200);

  // Another citizen's appeal in the same department, straight into the store.
  const other = makeUser({ fullName: 'Петров Пётр Петрович' });
  await server.store.users.create(other);
  const record = makeRegisteredAppeal({
    citizenId: other.id,
    departmentId: assignee.user.departmentId,
    categoryId: null,
    subject: 'Шумные соседи и холодные батареи',
    description: 'Соседи шумят по ночам, в подъезде нет отопления.',
    extra: {},
    expertsSeeContacts: false,
  });
  await server.store.appeals.create(record);
  neighbours = record.id;
  server.searchIndex.appealChanged(neighbours);

  const op = await joined(assignee, heating);
  await ok(op, 'chat:send', { appealId: heating, clientId: clientId(), text: 'Проверим протечку крыши завтра', internal: false });
  await ok(op, 'chat:send', { appealId: heating, clientId: clientId(), text: 'Служебно: аварийная бригада вызвана', internal: true });
  await settle();
});
afterAll(async () => {
  closeAllSockets();
  closeAllYjs();
  await server.stop();
});

describe('who finds what', () => {
  it('each role finds exactly the appeals it may open, by another form of the word', async () => {
    const expected = {
      citizen: [heating, payment].sort(),
      assignee: [heating, neighbours].sort(),
      colleague: [heating, neighbours].sort(),
      supervisor: [heating, neighbours].sort(),
      expert: [heating],
      portalOperator: [payment],
      admin: [],
    };
    const who = { citizen, assignee, colleague, supervisor, expert, portalOperator, admin };
    for (const [name, client] of Object.entries(who)) {
      expect(await idsOf(client, 'отопление'), name).toEqual(expected[name as keyof typeof expected]);
    }
  });

  it('never returns a hit its reader could not open: every hit of every query opens for them', async () => {
    const who = [citizen, assignee, colleague, supervisor, expert, portalOperator, admin];
    for (const q of ['отопление', 'подъезд', 'Иванова', 'бригады', 'крыши', 'соседей', 'оплата', 'Лесная', 'Петрова']) {
      for (const client of who) {
        for (const hit of await hitsOf(client, q)) expect((await client.get(`/api/appeals/${hit.id}`)).status, `${client.user.email} ${q}`).toBe(200);
      }
    }
  });

  it('internal notes match and show for staff in the room only; the citizen gets no hit from them', async () => {
    expect(await idsOf(citizen, 'бригады')).toEqual([]);
    expect(await idsOf(portalOperator, 'бригады')).toEqual([]);
    for (const staff of [assignee, colleague, supervisor, expert]) {
      const [hit] = await hitsOf(staff, 'бригады');
      expect(hit?.id).toBe(heating);
      expect(marked(hit, 'note')).toEqual(['бригада']);
    }
    const [own] = await hitsOf(citizen, 'крыша');
    expect(marked(own, 'chat')).toEqual(['крыши']);
    expect(own?.fragments.some((f) => f.field === 'note')).toBe(false);
  });

  it('matches and shows the citizen’s name only for the assignee, the supervisor and an expert the citizen allowed', async () => {
    for (const [client, found] of [
      [assignee, [heating]],
      [supervisor, [heating]],
      [colleague, []],
      [expert, []],
      [portalOperator, []],
      [admin, []],
    ] as const) {
      const hits = await hitsOf(client, 'Иванова');
      expect(hits.map((h) => h.id)).toEqual(found);
      for (const h of hits) expect(marked(h, 'name')).toEqual(['Иванов']);
    }
    // A hit found by other words shows no name to someone the policy does not give it to.
    for (const client of [colleague, expert])
      for (const h of await hitsOf(client, 'отопление')) expect(h.fragments.some((f) => f.field === 'name')).toBe(false);
    expect((await citizen.put(`/api/appeals/${heating}/privacy`, { expertsSeeContacts: true })).status).toBe(200);
    await settle();
    const [hit] = await hitsOf(expert, 'Иванова');
    expect(hit?.id).toBe(heating);
    expect(marked(hit, 'name')).toEqual(['Иванов']);
    expect((await citizen.put(`/api/appeals/${heating}/privacy`, { expertsSeeContacts: false })).status).toBe(200);
    await settle();
    expect(await idsOf(expert, 'Иванова')).toEqual([]);
  });

  it('highlights the matching words as segments: subject, address, number', async () => {
    const [hit] = await hitsOf(supervisor, 'отоплении Лесной', '');
    expect(hit?.id).toBe(heating);
    expect(hit?.fragments[0]).toEqual({
      field: 'subject',
      segments: [
        { text: 'Нет ', mark: false },
        { text: 'отопления', mark: true },
        { text: ' в подъезде', mark: false },
      ],
    });
    expect(marked(hit, 'body')).toEqual(['Лесная']);
    const number = (await citizen.get(`/api/appeals/${payment}`)).body.appeal.number as string;
    const [byNumber] = await hitsOf(citizen, number);
    expect(byNumber?.id).toBe(payment);
    expect(byNumber?.fragments.find((f) => f.field === 'number')?.segments.map((s) => s.mark)).toEqual([true, false, true, false, true]);
  });

  it('combines the filters with the words: status, kind, department, period', async () => {
    expect(await idsOf(supervisor, 'отопление', '&status=in_progress')).toEqual([heating]);
    expect(await idsOf(supervisor, 'отопление', '&status=registered')).toEqual([neighbours]);
    expect(await idsOf(citizen, 'отопление', `&departmentId=${portalOperator.user.departmentId}`)).toEqual([payment]);
    expect(await idsOf(citizen, 'отопление', '&type=suggestion')).toEqual([]);
    expect(await idsOf(citizen, 'отопление', '&from=2026-03-02&to=2026-03-02')).toEqual([heating, payment].sort());
    expect(await idsOf(citizen, 'отопление', '&from=2026-03-03')).toEqual([]);
  });
});

describe('the index follows live edits', () => {
  it('chat: a posted message is found, an edit replaces its words, a withdrawal removes them', async () => {
    const socket = await joined(citizen, heating);
    const sent = await ok<{ seq: number }>(socket, 'chat:send', { appealId: heating, clientId: clientId(), text: 'Сосед сверху затопил ванную' });
    await settle();
    expect(await idsOf(assignee, 'затопила')).toEqual([heating]);
    await ok(socket, 'chat:edit', { appealId: heating, seq: sent.seq, clientId: clientId(), text: 'Сосед сверху залил кухню' });
    await settle();
    expect(await idsOf(assignee, 'затопила')).toEqual([]);
    expect(await idsOf(assignee, 'кухни')).toEqual([heating]);
    await ok(socket, 'chat:withdraw', { appealId: heating, seq: sent.seq, clientId: clientId() });
    await settle();
    expect(await idsOf(assignee, 'кухни')).toEqual([]);
  });

  it('the description co-edited over Yjs: a new word is found once its plain text is written', async () => {
    expect(await idsOf(citizen, 'плесени')).toEqual([]);
    const doc = await openYjs(server.url, citizen.cookie, heating);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('На стенах появилась плесень.')]);
    doc.doc.getXmlFragment('default').push([paragraph]);
    await waitFor(() => false, 2600).catch(() => undefined); // the plain-text debounce
    await vi_poll(async () => (await idsOf(citizen, 'плесени')).join(','), heating);
    expect(await idsOf(assignee, 'плесень')).toEqual([heating]);
  });
});

describe('catching up', () => {
  it('indexes at start what it missed: an appeal stored with no event, and a message appended behind its back', async () => {
    const record = makeRegisteredAppeal({
      citizenId: citizen.user.id,
      departmentId: assignee.user.departmentId,
      categoryId: null,
      subject: 'Сломана детская площадка',
      description: 'Качели во дворе сломаны.',
      extra: {},
      expertsSeeContacts: false,
    });
    await server.store.appeals.create(record);
    await server.store.chat.append({
      appealId: heating,
      clientId: clientId(),
      authorId: assignee.user.id,
      authorRole: 'operator',
      text: 'Сверили показания счётчиков',
      internal: false,
      at: clock.now(),
    });
    expect(await idsOf(citizen, 'качелей')).toEqual([]);
    expect(await idsOf(citizen, 'счётчика')).toEqual([]);
    expect(await server.searchIndex.catchUp()).toBe(2);
    expect(await idsOf(citizen, 'качелей')).toEqual([record.id]);
    expect(await idsOf(citizen, 'счётчика')).toEqual([heating]);
    expect(await server.searchIndex.catchUp()).toBe(0);
  });
});

describe('bad queries', () => {
  it('are refused with 400 and a Russian message, and the server stays up', async () => {
    const cases: [string, string][] = [
      ['', 'Введите номер или слова для поиска'],
      ['?q=', 'Введите номер или слова для поиска'],
      [`?q=${'а'.repeat(201)}`, 'Запрос длиннее 200 символов'],
      ['?q=отопление&from=2026-03-10&to=2026-03-01', 'Начало периода позже его конца'],
      ['?q=отопление&from=2020-01-01&to=2026-03-01', 'Период длиннее 5 лет'],
      ['?q=отопление&status=lost', 'неизвестный статус'],
      ['?q=отопление&limit=500', ''],
      ['?q=в и на', 'В запросе нет слов для поиска'],
    ];
    for (const [query, message] of cases) {
      const res = await citizen.get(`/api/search${query.replace(/ /g, '%20')}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body), query).toContain(message);
    }
    expect((await new TestClient(server.url).get('/api/search?q=отопление')).status).toBe(401);
    expect(await idsOf(citizen, 'отопление')).toEqual([heating, payment].sort());
  });
});

/** Polls `read` until it gives `want` (the description's text reaches the store on its own schedule). */
async function vi_poll(read: () => Promise<string>, want: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await read();
    if (last === want) return;
    await settle();
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toBe(want);
}
