/**
 * «Дополнить обращение» (issue 29 item 8, seed 000) against the real server:
 * the owner adds text and documents at any status from submission to before
 * completion; each addition is an entry of the case's history with date,
 * time and author, journalled, and pushed to everyone in the room at once;
 * each person's mark says what is new since they last looked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllSockets, collect, connect, next, ok, type ClientSocket } from '../helpers/realtime.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let supervisor: TestClient;
let expert: TestClient;
let stranger: TestClient;

beforeAll(async () => {
  server = await startTestServer();
  [citizen, operator, supervisor, expert] = await Promise.all([
    loginAs(server, 'citizen'),
    loginAs(server, 'operator.portal'),
    loginAs(server, 'supervisor.portal'),
    loginAs(server, 'expert'),
  ]);
  const admin = await loginAs(server, 'admin');
  const created = await admin.post('/api/admin/users', {
    email: 'another.citizen@example.ru',
    phone: '+79990002233',
    password: 'другой-пароль-42',
    fullName: 'Сидорова Анна Петровна',
    role: 'citizen',
  });
  expect(created.status).toBe(201);
  stranger = await new TestClient(server.url).login('another.citizen@example.ru', 'другой-пароль-42');
});
afterAll(async () => {
  closeAllSockets();
  await server.stop();
});

const act = (c: TestClient, id: string, action: string, comment?: string) =>
  c.post(`/api/appeals/${id}/transitions`, { action, ...(comment ? { comment } : {}) });
const supplement = (c: TestClient, id: string, body: unknown) => c.post(`/api/appeals/${id}/supplements`, body);

async function uploadPdf(c: TestClient, id: string, name: string): Promise<string> {
  const res = await c.request('POST', `/api/appeals/${id}/attachments`, formWith([{ name, bytes: pdfBytes(name) }]));
  expect(res.status).toBe(201);
  return res.body.items[0].id as string;
}

async function joined(c: TestClient, appealId: string): Promise<ClientSocket> {
  const socket = await connect(server.url, c);
  await ok(socket, 'room:join', { appealId });
  return socket;
}

describe('supplementing an appeal', () => {
  it('adds text and a document as a history entry with date, time and author, journalled and pushed to everyone in the room', async () => {
    const { appeal } = await fileAppeal(citizen);
    await act(operator, appeal.id, 'take');
    const docId = await uploadPdf(citizen, appeal.id, 'Квитанция за март.pdf');
    const [opSocket, supSocket, citizenSocket] = await Promise.all([joined(operator, appeal.id), joined(supervisor, appeal.id), joined(citizen, appeal.id)]);
    const outsider = await connect(server.url, stranger);
    const strayEvents = collect(outsider, 'entry:added');
    const toOperator = next(opSocket, 'entry:added', (p: { appealId: string }) => p.appealId === appeal.id);
    const toSupervisor = next(supSocket, 'entry:added', (p: { appealId: string }) => p.appealId === appeal.id);
    const toCitizen = next(citizenSocket, 'entry:added', (p: { appealId: string }) => p.appealId === appeal.id);

    const res = await supplement(citizen, appeal.id, { text: '  Прикладываю квитанцию: начисление за март завышено вдвое.  ', attachmentIds: [docId] });
    expect(res.status).toBe(201);
    const entry = res.body.entry;
    expect(entry).toMatchObject({
      appealId: appeal.id,
      seq: 1,
      kind: 'supplement',
      authorId: citizen.user.id,
      authorName: citizen.user.fullName,
      text: 'Прикладываю квитанцию: начисление за март завышено вдвое.',
      attachments: [{ id: docId, fileName: 'Квитанция за март.pdf' }],
      changes: [],
    });
    expect(Math.abs(entry.at - Date.now())).toBeLessThan(10_000);
    const pushed = { appealId: appeal.id, seq: 1, kind: 'supplement', authorId: citizen.user.id };
    expect(await toOperator).toEqual(pushed);
    expect(await toSupervisor).toEqual(pushed);
    expect(await toCitizen).toEqual(pushed);
    expect(strayEvents).toEqual([]);

    // The same entry, as each person in the case reads it.
    for (const c of [operator, supervisor, citizen]) {
      const list = await c.get(`/api/appeals/${appeal.id}/entries`);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([entry]);
    }
    const audit = (await server.store.audit.list(0, 100_000)).filter((e) => e.subjectId === appeal.id && e.action === 'appeal.supplemented');
    expect(audit.map((e) => [e.actorId, e.details])).toEqual([[citizen.user.id, { chars: entry.text.length, attachmentIds: [docId] }]]);
  });

  it('is open at every status from submission to before completion, and refused in a draft, a rejected and a completed appeal', async () => {
    const { appeal } = await fileAppeal(citizen);
    const add = async (text: string) => (await supplement(citizen, appeal.id, { text })).status;
    expect(await add('Принято')).toBe(201);
    await act(operator, appeal.id, 'take');
    expect(await add('В работе')).toBe(201);
    await act(operator, appeal.id, 'request_info', 'Уточните адрес');
    expect(await add('Требуются сведения')).toBe(201);
    await act(citizen, appeal.id, 'provide_info', 'Адрес уточнён');
    await act(operator, appeal.id, 'propose_resolution', 'Перерасчёт выполнен');
    expect(await add('Ожидает подтверждения')).toBe(201);
    await act(citizen, appeal.id, 'confirm');
    const completed = await supplement(citizen, appeal.id, { text: 'После завершения' });
    expect(completed.status).toBe(409);
    expect(completed.body.error).toMatchObject({ code: 'CONFLICT', message: 'Обращение в статусе «Завершено»: дополнить его нельзя' });
    expect((await citizen.get(`/api/appeals/${appeal.id}/entries`)).body.items.map((e: { text: string }) => e.text)).toEqual([
      'Принято',
      'В работе',
      'Требуются сведения',
      'Ожидает подтверждения',
    ]);

    const rejected = (await fileAppeal(citizen)).appeal;
    await act(operator, rejected.id, 'take');
    expect((await act(operator, rejected.id, 'reject', 'Не наша компетенция')).status).toBe(200);
    expect((await supplement(citizen, rejected.id, { text: 'Дополнение' })).body.error.code).toBe('CONFLICT');
    const draft = await citizen.post('/api/appeals', { subject: 'Черновик' });
    expect((await supplement(citizen, draft.body.appeal.id, { text: 'Дополнение' })).body.error.code).toBe('CONFLICT');
  });

  it('lets only the owner supplement: staff of the room are FORBIDDEN, everyone else gets NOT_FOUND', async () => {
    const { appeal } = await fileAppeal(citizen);
    await act(operator, appeal.id, 'take');
    await operator.post(`/api/appeals/${appeal.id}/experts`, { expertId: expert.user.id });
    for (const c of [operator, supervisor, expert]) {
      const res = await supplement(c, appeal.id, { text: 'Не от заявителя' });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'Дополнить обращение может только заявитель' });
    }
    const otherDepartment = await loginAs(server, 'operator.housing');
    for (const c of [stranger, otherDepartment]) {
      expect((await supplement(c, appeal.id, { text: 'Чужое' })).body.error.code).toBe('NOT_FOUND');
      expect((await c.get(`/api/appeals/${appeal.id}/entries`)).body.error.code).toBe('NOT_FOUND');
      expect((await c.post(`/api/appeals/${appeal.id}/entries/seen`, { seq: 1 })).body.error.code).toBe('NOT_FOUND');
    }
    const anonymous = new TestClient(server.url);
    expect((await anonymous.get(`/api/appeals/${appeal.id}/entries`)).status).toBe(401);
    expect((await citizen.get(`/api/appeals/${appeal.id}/entries`)).body.items).toEqual([]);
  });

  it('refuses bad bodies with VALIDATION_FAILED naming the field, and a document of another appeal', async () => {
    const { appeal } = await fileAppeal(citizen);
    const other = (await fileAppeal(citizen)).appeal;
    const foreignDoc = await uploadPdf(citizen, other.id, 'Чужой.pdf');
    const ownDoc = await uploadPdf(citizen, appeal.id, 'Свой.pdf');
    const cases: [unknown, string][] = [
      [{}, 'text'],
      [{ text: '   ' }, 'text'],
      [{ text: 'я'.repeat(4001) }, 'text'],
      [{ text: 42 }, 'text'],
      [{ text: 'ок', attachmentIds: 'abc' }, 'attachmentIds'],
      [{ text: 'ок', attachmentIds: ['../../etc'] }, 'attachmentIds.0'],
      [{ text: 'ок', attachmentIds: [ownDoc, ownDoc] }, 'attachmentIds'],
      [{ attachmentIds: [foreignDoc] }, 'attachmentIds'],
    ];
    for (const [body, field] of cases) {
      const res = await supplement(citizen, appeal.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(res.body.error.fields ?? {}), JSON.stringify(body)).toContain(field);
    }
    expect((await supplement(citizen, appeal.id, { attachmentIds: [ownDoc] })).status).toBe(201);
    for (const body of [{}, { seq: -1 }, { seq: 'два' }, { seq: 1.5 }]) {
      const res = await operator.post(`/api/appeals/${appeal.id}/entries/seen`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.fields).toHaveProperty('seq');
    }
    expect((await operator.get(`/api/appeals/${appeal.id}/entries?after=x`)).body.error.fields).toHaveProperty('after');
  });

  it("marks what is new since the person's last look: the mark moves forward only, never past the last entry", async () => {
    const { appeal } = await fileAppeal(citizen);
    await supplement(citizen, appeal.id, { text: 'Первое' });
    await supplement(citizen, appeal.id, { text: 'Второе' });
    const list = async () => (await operator.get(`/api/appeals/${appeal.id}/entries`)).body as { items: { seq: number }[]; seenSeq: number };
    expect(await list()).toMatchObject({ seenSeq: 0, items: [{ seq: 1 }, { seq: 2 }] });
    expect((await operator.post(`/api/appeals/${appeal.id}/entries/seen`, { seq: 2 })).status).toBe(204);
    await supplement(citizen, appeal.id, { text: 'Третье' });
    const after = await list();
    expect(after.seenSeq).toBe(2);
    expect(after.items.filter((e) => e.seq > after.seenSeq).map((e) => e.seq)).toEqual([3]);
    // Back is ignored, beyond the last is the last; others' marks are their own.
    await operator.post(`/api/appeals/${appeal.id}/entries/seen`, { seq: 1 });
    expect((await list()).seenSeq).toBe(2);
    await operator.post(`/api/appeals/${appeal.id}/entries/seen`, { seq: 99 });
    expect((await list()).seenSeq).toBe(3);
    expect((await supervisor.get(`/api/appeals/${appeal.id}/entries`)).body.seenSeq).toBe(0);
    // Only the entries after a seq.
    expect((await operator.get(`/api/appeals/${appeal.id}/entries?after=2`)).body.items.map((e: { seq: number }) => e.seq)).toEqual([3]);
  });
});
