/**
 * Correcting a rejected appeal before «Подать повторно» (issue 29 item 6),
 * against the real server: a description saved through the API goes into the
 * co-edited document, so it survives the room's plain-text sync, a
 * compaction, an unload and a server restart; the earlier text is kept as a
 * description version and every changed field with its earlier value in a
 * correction entry; only the owner corrects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { closeAllSockets, connect, next, ok } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs, waitFor } from '../helpers/yjs.js';

const ORIGINAL = 'При нажатии на кнопку «Оплатить» страница зависает.';
const CORRECTED = 'Chrome 130, Windows 11: после нажатия «Оплатить» крутится индикатор.\nОшибка 504 в консоли.';

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let supervisor: TestClient;

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  supervisor = await loginAs(server, 'supervisor.portal');
});
afterAll(async () => {
  closeAllYjs();
  closeAllSockets();
  await server.stop();
});

/** An appeal filed by the citizen, taken and rejected by the operator. */
async function rejectedAppeal(): Promise<{ id: string; number: string }> {
  const { appeal } = await fileAppeal(citizen, 'portal_issues', { description: ORIGINAL, details: { expected: 'Оплата проходит' } });
  expect((await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
  const rejected = await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'reject', comment: 'Не указан браузер' });
  expect(rejected.body.appeal.status).toBe('rejected');
  return { id: appeal.id, number: appeal.number };
}

const versionOf = async (c: TestClient, id: string): Promise<number> => (await c.get(`/api/appeals/${id}`)).body.appeal.version;

describe('correcting a rejected appeal', () => {
  it('keeps the earlier text as a description version and each changed field with its earlier value in a correction entry', async () => {
    const { id } = await rejectedAppeal();
    const socket = await connect(server.url, operator);
    await ok(socket, 'room:join', { appealId: id });
    const pushed = next<{ appealId: string; seq: number; kind: string }>(socket, 'entry:added', (p) => p.appealId === id);

    const res = await citizen.patch(`/api/appeals/${id}`, {
      version: await versionOf(citizen, id),
      description: CORRECTED,
      details: { expected: 'Оплата проходит', errorText: '504 Gateway Timeout' },
    });
    expect(res.status).toBe(200);
    expect(await pushed).toMatchObject({ appealId: id, seq: 1, kind: 'correction', authorId: citizen.user.id });

    const entries = await operator.get(`/api/appeals/${id}/entries`);
    expect(entries.status).toBe(200);
    expect(entries.body.seenSeq).toBe(0);
    expect(entries.body.items).toHaveLength(1);
    expect(entries.body.items[0]).toMatchObject({
      seq: 1,
      kind: 'correction',
      authorId: citizen.user.id,
      authorName: citizen.user.fullName,
      text: '',
      attachments: [],
      changes: [
        { field: 'description', label: null, before: ORIGINAL, after: CORRECTED },
        { field: 'details.errorText', label: null, before: '', after: '504 Gateway Timeout' },
      ],
    });
    expect(typeof entries.body.items[0].at).toBe('number');

    // The document's earlier state is a version, readable in the room.
    const versions = await operator.get(`/api/appeals/${id}/description/versions`);
    const texts: string[] = [];
    for (const v of versions.body.items as { id: string }[])
      texts.push((await operator.get(`/api/appeals/${id}/description/versions/${v.id}`)).body.version.text);
    expect(texts).toContain(ORIGINAL);

    const audit = (await server.store.audit.list(0, 100_000)).filter((e) => e.subjectId === id && e.action === 'appeal.corrected');
    expect(audit.map((e) => [e.actorId, e.details])).toEqual([[citizen.user.id, { fields: ['description', 'details.errorText'] }]]);

    // Saving the same values again changes nothing and records nothing.
    const same = await citizen.patch(`/api/appeals/${id}`, { version: await versionOf(citizen, id), description: CORRECTED });
    expect(same.status).toBe(200);
    expect((await operator.get(`/api/appeals/${id}/entries`)).body.items).toHaveLength(1);
  });

  it("hides the citizen's reply contact in a correction from an invited expert the citizen did not allow, and shows it to the supervisor", async () => {
    const { id } = await rejectedAppeal();
    await citizen.patch(`/api/appeals/${id}`, {
      version: await versionOf(citizen, id),
      details: { replyContact: 'anna@example.ru' },
      subject: 'Новая тема обращения',
    });
    const fields = async (c: TestClient): Promise<string[]> =>
      (await c.get(`/api/appeals/${id}/entries`)).body.items[0].changes.map((x: { field: string }) => x.field);
    expect(await fields(supervisor)).toEqual(['subject', 'details.expected', 'details.replyContact']);
    expect(await fields(citizen)).toEqual(['subject', 'details.expected', 'details.replyContact']);
    const expert = await loginAs(server, 'expert');
    expect((await operator.post(`/api/appeals/${id}/experts`, { expertId: expert.user.id })).status).toBe(200);
    expect(await fields(expert)).toEqual(['subject', 'details.expected']);
  });

  it('lets only the owner correct: officers are FORBIDDEN, outsiders NOT_FOUND; a stale version is a CONFLICT and a bad body VALIDATION_FAILED', async () => {
    const { id } = await rejectedAppeal();
    const version = await versionOf(citizen, id);
    const byOperator = await operator.patch(`/api/appeals/${id}`, { version, description: 'Другой текст описания' });
    expect(byOperator.status).toBe(403);
    expect(byOperator.body.error.code).toBe('FORBIDDEN');
    const outsider = await loginAs(server, 'operator.housing');
    expect((await outsider.patch(`/api/appeals/${id}`, { version, description: 'Другой текст описания' })).body.error.code).toBe('NOT_FOUND');
    const stale = await citizen.patch(`/api/appeals/${id}`, { version: version - 1, description: 'Другой текст описания' });
    expect(stale.body.error.code).toBe('CONFLICT');
    const noVersion = await citizen.patch(`/api/appeals/${id}`, { description: 'Другой текст описания' });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { version: expect.any(String) } });
    const badDetails = await citizen.patch(`/api/appeals/${id}`, { version, details: { happenedOn: 'вчера' } });
    expect(badDetails.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { 'details.happenedOn': expect.any(String) } });
    // Nothing of it reached the document or the record.
    expect((await citizen.get(`/api/appeals/${id}`)).body.appeal).toMatchObject({ description: ORIGINAL, version });
    expect((await citizen.get(`/api/appeals/${id}/entries`)).body.items).toEqual([]);
    // An appeal in work is not edited this way at all.
    const { appeal } = await fileAppeal(citizen);
    expect((await citizen.patch(`/api/appeals/${appeal.id}`, { version: appeal.version, subject: 'Новая тема' })).body.error.code).toBe('CONFLICT');
  });

  it('puts the new description into the loaded document: the text survives the plain-text sync, compaction, unload and a restart', async () => {
    const { id } = await rejectedAppeal();
    // The room is loaded: an operator's editor holds the document.
    const editor = await openYjs(server.url, operator.cookie, id);
    expect(editor.text()).toBe(ORIGINAL);

    const res = await citizen.patch(`/api/appeals/${id}`, {
      version: await versionOf(citizen, id),
      description: CORRECTED,
      subject: 'Оплата зависает в Chrome',
      details: { expected: 'Оплата проходит', actual: 'Ошибка 504' },
    });
    expect(res.status).toBe(200);
    expect(res.body.appeal).toMatchObject({
      status: 'rejected',
      description: CORRECTED,
      subject: 'Оплата зависает в Chrome',
      details: { actual: 'Ошибка 504' },
    });
    // The open editor received it as an edit.
    await waitFor(() => editor.text() === CORRECTED, 5000, 'the correction reached the open editor');

    // A further edit in the room; the room's plain-text sync (2 s after it) writes the document's text: the correction with the edit.
    ((editor.doc.getXmlFragment('default').get(1) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'Подробнее: ');
    const withEdit = CORRECTED.replace('Ошибка 504', 'Подробнее: Ошибка 504');
    expect(editor.text()).toBe(withEdit);
    await expect.poll(async () => (await citizen.get(`/api/appeals/${id}`)).body.appeal.description, { timeout: 8000, interval: 200 }).toBe(withEdit);

    // The last editor leaves: version, compaction into one row, plain text.
    editor.destroy();
    await waitFor(() => server.collab.description.loadedCount() === 0, 10_000, 'room unloaded');
    expect(await server.store.yjs.load(id)).toHaveLength(1);
    expect((await citizen.get(`/api/appeals/${id}`)).body.appeal.description).toBe(withEdit);

    // A restart on the same data: the document and the plain text still hold the correction.
    const dataDir = server.dataDir;
    await server.stop({ keepData: true });
    server = await startTestServer({ dataDir });
    const again = (c: TestClient): TestClient => Object.assign(new TestClient(server.url), { cookie: c.cookie, csrfToken: c.csrfToken, user: c.user });
    citizen = again(citizen);
    operator = again(operator);
    supervisor = again(supervisor);
    const reopened = await openYjs(server.url, citizen.cookie, id);
    expect(reopened.text()).toBe(withEdit);
    reopened.destroy();
    expect((await operator.get(`/api/appeals/${id}`)).body.appeal.description).toBe(withEdit);

    // Resubmitted, it carries the correction.
    const resubmitted = await citizen.post(`/api/appeals/${id}/submit`, {});
    expect(resubmitted.body.appeal).toMatchObject({ status: 'registered', resubmissionCount: 1, description: withEdit });
  });
});
