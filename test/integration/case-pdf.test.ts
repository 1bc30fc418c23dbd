/**
 * The whole case as a PDF (PRODUCT.md §11, docs/decisions.md): every
 * participant downloads the version they may see, read back to text with
 * PDF.js. The citizen's holds the case file, description, history, chat,
 * files with their versions, decisions and the rating, and no internal note;
 * staff's hold the internal notes; an expert without the citizen's consent
 * gets no contacts; someone outside the room gets 404.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../server/lib/ids.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { download, pdfText } from '../helpers/pdf.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let supervisor: TestClient;
let expert: TestClient;
let outsider: TestClient;
let appealId: string;
let number: string;

const INTERNAL = 'Служебно: сверить платёж с выпиской банка до ответа';
const PUBLIC = 'Здравствуйте! Платёж вижу, проверяю зачисление.';

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  supervisor = await loginAs(server, 'supervisor.portal');
  expert = await loginAs(server, 'expert');
  outsider = await loginAs(server, 'operator.housing');
  expect((await citizen.put('/api/me/privacy', { expertsSeeContacts: false })).status).toBe(200);
  const { appeal } = await fileAppeal(citizen, 'portal_issues', {
    type: 'application',
    subject: 'Двойное списание за госпошлину',
    description: 'С карты списали госпошлину дважды, 14 марта.',
    details: { service: 'Оплата госпошлины', expected: 'Возврат лишнего платежа' },
  });
  appealId = appeal.id as string;
  number = appeal.number as string;
  await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' });
  await operator.post(`/api/appeals/${appealId}/experts`, { expertId: expert.user.id });
  const up = await citizen.post(`/api/appeals/${appealId}/attachments`, formWith([{ name: 'чек.pdf', bytes: pdfBytes('чек 1') }]));
  const attId = up.body.items[0].id as string;
  await citizen.post(`/api/appeals/${appealId}/attachments/${attId}/versions`, formWith([{ name: 'чек исправленный.pdf', bytes: pdfBytes('чек 2') }]));
  const at = Date.now();
  for (const [authorId, authorRole, text, internal] of [
    [citizen.user.id, 'citizen', 'Прошу вернуть второй платёж.', false],
    [operator.user.id, 'operator', PUBLIC, false],
    [operator.user.id, 'operator', INTERNAL, true],
  ] as const) {
    await server.store.chat.append({ appealId, clientId: newId(), authorId, authorRole, text, internal, at });
  }
  await operator.post(`/api/appeals/${appealId}/transitions`, {
    action: 'propose_resolution',
    comment: 'Второй платёж возвращён на карту 20 марта.',
    attachmentIds: [attId],
  });
  await citizen.post(`/api/appeals/${appealId}/transitions`, { action: 'confirm' });
  const rated = await citizen.post(`/api/appeals/${appealId}/feedback`, { stars: 2, remarks: 'Возврат пришёл не полностью', category: 'service' });
  expect(rated.status).toBe(201);
});
afterAll(async () => {
  await server.stop();
});

/** The case PDF as `client` downloads it, as text. */
async function caseText(client: TestClient): Promise<string> {
  const res = await download(client, `/api/appeals/${appealId}/pdf`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  return pdfText(res.bytes);
}

describe('the case as a PDF', () => {
  it('the citizen’s version holds the whole case they see in the room and no internal note', async () => {
    const res = await download(citizen, `/api/appeals/${appealId}/pdf`);
    const text = await pdfText(res.bytes);
    for (const expected of [
      `Дело по обращению № ${number}`,
      'Версия для заявителя',
      // The case file.
      'Двойное списание за госпошлину',
      'Технические проблемы портала',
      'Оплата госпошлины',
      'Возврат лишнего платежа',
      citizen.user.fullName as string,
      // The description, the history with its comments.
      'С карты списали госпошлину дважды, 14 марта.',
      'Принято → В работе',
      'Ожидает подтверждения → Завершено',
      // The chat, the files with their versions, the decision, the rating and its review.
      'Прошу вернуть второй платёж.',
      PUBLIC,
      'версия 1: чек.pdf',
      'версия 2 (текущая): чек исправленный.pdf',
      'Второй платёж возвращён на карту 20 марта.',
      'Приложения: чек исправленный.pdf',
      'Оценка: 2 из 5',
      'Возврат пришёл не полностью',
      'Ожидает проверки руководителем',
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text).not.toContain(INTERNAL);
    expect(text).not.toContain('служебная заметка');
    // Kept as a sample of what the service prints (not committed: test/e2e/screenshots is ignored).
    const dir = path.resolve('test/e2e/screenshots');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'case-citizen.pdf'), res.bytes);
  });

  it('staff’s version holds the internal notes; the assignee sees the contacts, an expert without consent does not', async () => {
    const staff = await caseText(operator);
    expect(staff).toContain('Версия для сотрудников');
    expect(staff).toContain(INTERNAL);
    expect(staff).toContain('служебная заметка');
    expect(staff).toContain(citizen.user.email as string);
    const observer = await caseText(supervisor);
    expect(observer).toContain(INTERNAL);
    const forExpert = await caseText(expert);
    expect(forExpert).toContain(INTERNAL);
    expect(forExpert).toContain(PUBLIC);
    expect(forExpert).not.toContain(citizen.user.email as string);
    expect(forExpert).not.toContain(citizen.user.phone as string);
    // The name shows where the room shows it to everyone (the chat's and the history's authors), never as the case's contact.
    expect(forExpert).not.toContain(`Заявитель: ${String(citizen.user.fullName)}`);
    expect(staff).toContain(`Заявитель: ${String(citizen.user.fullName)}`);
  });

  it('someone outside the room learns nothing; nobody signed in gets nothing', async () => {
    expect((await download(outsider, `/api/appeals/${appealId}/pdf`)).status).toBe(404);
    const anonymous = await fetch(`${server.url}/api/appeals/${appealId}/pdf`);
    expect(anonymous.status).toBe(401);
  });

  it('the samples kept in test/fixtures/pdf (rendered by the browser test) read back as a decision and a citizen’s case', async () => {
    const decision = await pdfText(new Uint8Array(readFileSync(path.resolve('test/fixtures/pdf/decision-sample.pdf'))));
    expect(decision).toMatch(/Решение № 1 по обращению № \d{2}-\d{4}-\d{6}/);
    expect(decision).toContain('Подписано');
    const whole = await pdfText(new Uint8Array(readFileSync(path.resolve('test/fixtures/pdf/case-sample-citizen.pdf'))));
    expect(whole).toContain('Версия для заявителя');
    expect(whole).toContain('Пересмотр завершён');
    expect(whole).not.toContain('служебная заметка');
  });
});
