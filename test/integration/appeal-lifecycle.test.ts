/**
 * The whole life of an appeal over real HTTP against the real server: a new
 * citizen registers (e-mail code through a real SMTP server on loopback, SMS
 * code through the real HTTP SMS adapter to a loopback gateway stand-in),
 * confirms, files, and the appeal walks the status machine to completion; and
 * the rejection → edit → resubmit path keeps the number and counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, endOfMskDay, mskDateOf } from '../../shared/calendar-dates.js';
import { SHIPPED_CALENDAR } from '../../server/domain/clocks/ru-calendar.data.js';
import { WorkingCalendar } from '../../server/domain/clocks/working-calendar.js';
import { startSmsGateway, type SmsGateway } from '../helpers/auth-app.js';
import { startTestServer, testStore, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { INITIAL_CONSENT } from '../../server/domain/accounts/consent.js';

let server: TestServer;
let smtp: TestSmtp;
let sms: SmsGateway;

beforeAll(async () => {
  smtp = await startSmtp();
  sms = await startSmsGateway();
  server = await startTestServer({ env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_TOKEN: sms.token } });
});
afterAll(async () => {
  await server.stop();
  await smtp.close();
  await sms.close();
});

const codeIn = (text: string): string => {
  const m = /\b(\d{6})\b/.exec(text);
  if (!m) throw new Error(`no code in: ${text}`);
  return m[1]!;
};

async function registerCitizen(email: string, phone: string): Promise<TestClient> {
  const c = new TestClient(server.url);
  const mailSince = smtp.messages.length;
  const smsSince = sms.messages.length;
  const reg = await c.post('/api/auth/register', {
    email,
    phone,
    password: 'надёжный-пароль-42',
    fullName: 'Смирнова Анна Петровна',
    birthDate: '1985-04-12',
    inn: '500100732259',
    address: 'г. Москва, ул. Тверская, д. 1',
    consentVersion: INITIAL_CONSENT.version,
  });
  expect(reg.status).toBe(201);
  const mail = await smtp.waitFor(email, mailSince);
  const smsMsg = sms.messages.slice(smsSince).find((m) => m.to === phone);
  expect(smsMsg).toBeDefined();
  const byChannel = Object.fromEntries(reg.body.codes.map((r: { channel: string; requestId: string }) => [r.channel, r.requestId]));
  // Before confirmation the rest of the API is closed.
  expect((await c.get('/api/appeals/mine')).status).toBe(403);
  expect((await c.post('/api/auth/confirm', { requestId: byChannel.email, code: codeIn(mail.text) })).status).toBe(200);
  expect((await c.post('/api/auth/confirm', { requestId: byChannel.phone, code: codeIn(smsMsg!.text) })).status).toBe(200);
  const me = await c.get('/api/me');
  expect(me.body.user).toMatchObject({ emailConfirmed: true, phoneConfirmed: true, role: 'citizen' });
  // A fresh login works too.
  return new TestClient(server.url).login(email, 'надёжный-пароль-42');
}

const act = (c: TestClient, id: string, action: string, comment?: string) =>
  c.post(`/api/appeals/${id}/transitions`, comment === undefined ? { action } : { action, comment });

describe('appeal lifecycle over HTTP', () => {
  it('register → confirm both codes → file → take → request info → answer → propose → confirm → completed', async () => {
    const citizen = await registerCitizen('anna@example.ru', '+79161234567');
    const { appeal, accessCode } = await fileAppeal(citizen);
    expect(appeal.status).toBe('registered');
    expect(appeal.number).toMatch(/^77-\d{4}-\d{6}$/);
    expect(accessCode).toMatch(/^[A-Z2-9]{8}$/);
    // Portal issues: 10 days from the day after submission, ending on a working day (docs/notifications.md, "Clocks").
    const lastDay = new WorkingCalendar(SHIPPED_CALENDAR).onOrAfter(addDays(mskDateOf(appeal.submittedAt), 10));
    expect(appeal.deadlineAt).toBe(endOfMskDay(lastDay));
    expect(appeal.clocks.answer).toMatchObject({ state: 'running', dueDate: lastDay });

    const operator = await loginAs(server, 'operator.portal');
    const queue = await operator.get('/api/queue?status=registered');
    expect(queue.body.items.map((a: { id: string }) => a.id)).toContain(appeal.id);

    expect((await act(operator, appeal.id, 'take')).body.appeal).toMatchObject({ status: 'in_progress', assigneeId: operator.user.id });
    expect((await act(operator, appeal.id, 'request_info')).status).toBe(400); // comment required
    expect((await act(operator, appeal.id, 'request_info', 'Приложите снимок экрана')).body.appeal.status).toBe('info_requested');
    expect((await act(citizen, appeal.id, 'provide_info', 'Снимок приложен')).body.appeal.status).toBe('in_progress');
    expect((await act(operator, appeal.id, 'propose_resolution', 'Исправлено в версии 2.3')).body.appeal.status).toBe('awaiting_confirmation');
    expect((await act(operator, appeal.id, 'confirm')).status).toBe(403); // the citizen confirms, not the officer
    const done = await act(citizen, appeal.id, 'confirm');
    expect(done.body.appeal.status).toBe('completed');

    const history = await citizen.get(`/api/appeals/${appeal.id}/history`);
    expect(history.body.items.map((h: { from: string; to: string }) => `${h.from}>${h.to}`)).toEqual([
      'draft>registered',
      'registered>in_progress',
      'in_progress>info_requested',
      'info_requested>in_progress',
      'in_progress>awaiting_confirmation',
      'awaiting_confirmation>completed',
    ]);
    expect(history.body.items[2]).toMatchObject({ actorId: operator.user.id, comment: 'Приложите снимок экрана', actorRole: 'operator' });

    const pub = await new TestClient(server.url).post('/api/public/status', { number: appeal.number, accessCode });
    expect(pub.body.status).toMatchObject({ number: appeal.number, status: 'completed' });
    expect(JSON.stringify(pub.body)).not.toContain('anna@example.ru');
    const wrong = await new TestClient(server.url).post('/api/public/status', { number: appeal.number, accessCode: 'AAAAAAAA' });
    expect(wrong.status).toBe(404);
  });

  it('reject needs a reason; the citizen edits and resubmits under the same number with the count raised', async () => {
    const citizen = await loginAs(server, 'citizen');
    const operator = await loginAs(server, 'operator.portal');
    const { appeal } = await fileAppeal(citizen);
    await act(operator, appeal.id, 'take');
    const noReason = await act(operator, appeal.id, 'reject', '   ');
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.fields).toHaveProperty('comment');
    expect((await act(operator, appeal.id, 'reject', 'Не указан браузер. Рекомендуем описать шаги.')).body.appeal.status).toBe('rejected');

    const edited = await citizen.patch(`/api/appeals/${appeal.id}`, {
      version: (await citizen.get(`/api/appeals/${appeal.id}`)).body.appeal.version,
      description: 'Chrome 130: кнопка «Оплатить» не реагирует.',
    });
    expect(edited.status).toBe(200);
    const again = await citizen.post(`/api/appeals/${appeal.id}/submit`, {});
    expect(again.body.appeal).toMatchObject({ status: 'registered', number: appeal.number, resubmissionCount: 1 });
    expect(again.body.accessCode).toBeNull(); // the first code stays valid
    expect((await act(operator, appeal.id, 'take')).body.appeal.status).toBe('in_progress');
  });

  it('refuses transitions the table does not allow, and a submitted appeal cannot be edited', async () => {
    const citizen = await loginAs(server, 'citizen');
    const operator = await loginAs(server, 'operator.portal');
    const { appeal } = await fileAppeal(citizen);
    expect((await act(citizen, appeal.id, 'take')).status).toBe(403);
    expect((await act(operator, appeal.id, 'confirm')).body.error.code).toBe('INVALID_TRANSITION');
    expect((await citizen.patch(`/api/appeals/${appeal.id}`, { version: appeal.version, subject: 'Новая тема' })).status).toBe(409);
  });

  it('a draft with missing fields cannot be submitted and names them', async () => {
    const citizen = await loginAs(server, 'citizen');
    const draft = await citizen.post('/api/appeals', { subject: 'Про' });
    const res = await citizen.post(`/api/appeals/${draft.body.appeal.id}/submit`, {});
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.fields)).toEqual(expect.arrayContaining(['categoryId', 'type', 'subject', 'description']));
  });

  // FerretDB queues every write on one SQLite writer: 50 at once there, which race just the same.
  const CONCURRENT = testStore === 'mongo' ? 50 : 200;
  it(`${CONCURRENT} concurrent submissions get ${CONCURRENT} distinct numbers`, async () => {
    const citizen = await loginAs(server, 'citizen');
    const cats = await citizen.get('/api/categories');
    const cat = cats.body.items.find((c: { code: string }) => c.code === 'portal_issues');
    const drafts = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        citizen.post('/api/appeals', {
          categoryId: cat.id,
          type: 'complaint',
          subject: `Обращение номер ${i}`,
          description: 'Описание проблемы достаточно длинное.',
        }),
      ),
    );
    const submitted = await Promise.all(drafts.map((d) => citizen.post(`/api/appeals/${d.body.appeal.id}/submit`, {})));
    expect(submitted.every((s) => s.status === 200)).toBe(true);
    const numbers = new Set(submitted.map((s) => s.body.appeal.number));
    expect(numbers.size).toBe(CONCURRENT);
  }, 120_000);
});
