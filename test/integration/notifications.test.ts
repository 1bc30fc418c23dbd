/**
 * Notifications end to end, against real receivers on loopback: an SMTP
 * server (each mail parsed with mailparser), an HTTP SMS gateway and a web
 * push endpoint that decrypts every payload with the subscription's keys.
 * Every path of the event → recipient → channel table (docs/notifications.md)
 * is driven through the real server: REST and socket actions for the
 * events it makes itself, the bus for the clocks' events. The clock is a
 * ManualClock and the scheduler runs when told (`runDue`), besides the runs
 * a notice due now starts by itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadVapidKeys, WebPushChannel } from '../../server/channels/push.channel.js';
import { ManualClock } from '../../server/lib/clock.js';
import type { AppealAccessEvent } from '../../server/domain/events.js';
import { defaultNotificationSettings } from '../../shared/schemas/notification.schema.js';
import { startMailSink, startPushEndpoint, startSmsGateway, type MailSink, type PushEndpoint, type SmsGateway } from '../helpers/notify-sinks.js';
import { collect, connect, ok, clientId } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, TestClient } from '../helpers/session.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** PUBLIC_URL: the links in messages, and the one origin the server takes requests from. */
const SITE = 'https://uslugi.example';

async function loginAs(s: TestServer, prefix: string): Promise<TestClient> {
  const { login, password } = demoAccount(s, prefix);
  return new TestClient(s.url, SITE).login(login, password);
}

let server: TestServer;
let mail: MailSink;
let sms: SmsGateway;
let push: PushEndpoint;
const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z')); // 12:00 in Moscow
let citizen: TestClient;
let operator: TestClient;
let supervisor: TestClient;
let expert: TestClient;

beforeAll(async () => {
  [mail, sms, push] = await Promise.all([startMailSink(), startSmsGateway(() => clock.now()), startPushEndpoint()]);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-notify-'));
  // The real channel, with an agent that trusts the loopback endpoint's self-signed certificate.
  const pushChannel = new WebPushChannel(await loadVapidKeys({ dataDir }), 'mailto:admin@caseroom.test', { agent: push.agent });
  server = await startTestServer({
    dataDir,
    push: pushChannel,
    clock,
    schedulerIntervalMs: 0,
    notify: { maxAttempts: 3, backoffMs: 30_000 },
    env: { SMTP_URL: mail.url, SMS_GATEWAY_URL: sms.url, SMS_GATEWAY_TOKEN: 'gw-token', PUBLIC_URL: SITE },
  });
  [citizen, operator, supervisor, expert] = (await Promise.all(
    ['citizen', 'operator.portal', 'supervisor.portal', 'expert'].map((p) => loginAs(server, p)),
  )) as [TestClient, TestClient, TestClient, TestClient];
}, 60_000);
afterAll(async () => {
  await server.stop();
  await Promise.all([mail.close(), sms.close(), push.close()]);
});

/** Lets the work an event started settle: the journal written, deliveries due now run, and those in the merge window. */
async function settle(advanceMs = 0): Promise<void> {
  // The events heard so far worked out, then the deliveries due now (a run already under way is waited for).
  await server.notifications.idle();
  await server.scheduler.runDue();
  if (advanceMs > 0) {
    clock.advance(advanceMs);
    await server.scheduler.runDue();
  }
}

/** Journal entries of a person (newest first). */
async function journal(client: TestClient): Promise<
  {
    id: string;
    topic: string;
    kind: string;
    appealNumber: string | null;
    readAt: number | null;
    deliveries: Record<string, { state: string; error: string | null }>;
  }[]
> {
  const res = await client.get('/api/notifications?limit=100');
  expect(res.status).toBe(200);
  return res.body.items;
}

async function topicsOf(client: TestClient): Promise<string[]> {
  return (await journal(client)).map((n) => n.topic);
}

async function clear(...clients: TestClient[]): Promise<void> {
  for (const c of clients) await c.post('/api/notifications/marks', { all: true });
}

async function setSettings(client: TestClient, patch: (s: ReturnType<typeof defaultNotificationSettings>) => void): Promise<void> {
  const s = defaultNotificationSettings();
  patch(s);
  const res = await client.put('/api/notifications/settings', s);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const email = (c: TestClient): string => c.user.email as string;

async function take(appealId: string): Promise<void> {
  const r = await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function transition(client: TestClient, appealId: string, action: string, comment?: string): Promise<void> {
  const r = await client.post(`/api/appeals/${appealId}/transitions`, { action, ...(comment ? { comment } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function accessOf(appealId: string): Promise<AppealAccessEvent> {
  const a = (await server.store.appeals.get(appealId))!;
  return {
    id: a.id,
    status: a.status,
    version: a.version,
    citizenId: a.citizenId,
    assigneeId: a.assigneeId,
    departmentId: a.departmentId,
    expertIds: a.expertIds,
  };
}

beforeEach(async () => {
  // Each test starts a merge window afresh.
  clock.advance(10 * MINUTE);
  await server.scheduler.runDue();
});

describe('status notices', () => {
  it('submission: the citizen gets an in-app toast on the socket and an e-mail with the number, links and List-Unsubscribe; nothing by SMS or push by default', async () => {
    const socket = await connect(server.url, citizen, { origin: SITE });
    const pushed = collect<{ notification: { title: string; appealNumber: string }; unread: number }>(socket, 'notification:new');
    const before = mail.to(email(citizen)).length;
    const smsBefore = sms.messages.length;
    const { appeal } = await fileAppeal(citizen);
    await vi.waitFor(() => {
      expect(pushed).toHaveLength(1);
    });
    expect(pushed[0]!.notification.title).toBe('Обращение принято');
    expect(pushed[0]!.notification.appealNumber).toBe(appeal.number);
    expect(pushed[0]!.unread).toBe((await citizen.get('/api/notifications/unread')).body.unread);
    await settle();
    const mails = mail.to(email(citizen)).slice(before);
    expect(mails).toHaveLength(1);
    const m = mails[0]!;
    expect(m.subject).toBe(`Обращение № ${appeal.number}: Обращение принято`);
    expect(m.text).toContain(`Обращение № ${appeal.number} зарегистрировано`);
    expect(m.text).toContain(`https://uslugi.example/appeals/${appeal.id}`);
    expect(m.html).toContain(`href="https://uslugi.example/appeals/${appeal.id}"`);
    expect(m.listUnsubscribe).toBe('<https://uslugi.example/notifications/settings>');
    expect(m.messageId).toMatch(/^<[0-9a-f]{40}@caseroom\.notify>$/);
    expect(sms.messages.length).toBe(smsBefore);
    const [entry] = await journal(citizen);
    expect(entry!.deliveries).toEqual({ inapp: { state: 'sent', at: clock.now(), error: null }, email: { state: 'sent', at: clock.now(), error: null } });
    socket.disconnect();
  });

  it('take, reject: the citizen is told, the acting officer is not', async () => {
    const { appeal } = await fileAppeal(citizen);
    await settle();
    const officerBefore = (await topicsOf(operator)).length;
    await take(appeal.id);
    await transition(operator, appeal.id, 'reject', 'Вопрос не относится к порталу');
    await settle(MINUTE);
    const mine = (await journal(citizen)).filter((n) => n.appealNumber === appeal.number).map((n) => n.topic);
    expect(mine).toEqual(['status.rejected', 'status.in_progress', 'status.registered']);
    expect((await topicsOf(operator)).length).toBe(officerBefore);
    // The two notices after the first mail of the minute went out together, in one mail.
    const merged = mail.to(email(citizen)).at(-1)!;
    expect(merged.subject).toBe(`2 уведомления по обращениям № ${appeal.number}`);
    expect(merged.notices).toHaveLength(2);
  });

  it('a language and filters of the person’s own: English mail; a priority filter lets only urgent status notices through', async () => {
    await setSettings(citizen, (s) => {
      s.language = 'en';
    });
    const { appeal } = await fileAppeal(citizen);
    await settle();
    expect(mail.to(email(citizen)).at(-1)!.subject).toBe(`Appeal No. ${appeal.number}: Appeal registered`);
    await setSettings(citizen, (s) => {
      s.kinds.status.priorities = ['urgent'];
    });
    const before = (await journal(citizen)).length;
    await take(appeal.id);
    await settle(MINUTE);
    expect((await journal(citizen)).length).toBe(before);
    await setSettings(citizen, () => undefined);
  });
});

describe('action-required notices', () => {
  it('request for information: in-app, e-mail and web push to the citizen’s device, decrypted at the endpoint; the answer tells the assignee', async () => {
    const device = push.device('citizen-phone');
    expect((await citizen.post('/api/notifications/push/subscriptions', device)).status).toBe(204);
    const { appeal } = await fileAppeal(citizen);
    await take(appeal.id);
    await settle(MINUTE);
    const pushedBefore = push.received.length;
    await transition(operator, appeal.id, 'request_info', 'Приложите скан паспорта');
    await settle(MINUTE);
    const [notice] = await journal(citizen);
    expect([notice!.topic, notice!.kind]).toEqual(['action.info_requested', 'action_required']);
    expect(Object.keys(notice!.deliveries).sort()).toEqual(['email', 'inapp', 'push']);
    expect(notice!.deliveries.push!.state).toBe('sent');
    const received = push.received.slice(pushedBefore);
    expect(received).toHaveLength(1);
    expect(received[0]!.payload).toMatchObject({ title: 'Требуются сведения', appealNumber: appeal.number, link: `/appeals/${appeal.id}` });
    expect(received[0]!.authorization).toMatch(/^vapid t=.+, k=.+$/);
    expect(received[0]!.ttl).toBe('86400');
    // Free text typed in the room (the officer's comment) is not put in the message.
    expect(JSON.stringify(received[0]!.payload)).not.toContain('паспорта');

    await transition(citizen, appeal.id, 'provide_info', 'Скан приложен');
    await settle(MINUTE);
    expect((await journal(operator))[0]!.topic).toBe('action.info_provided');
    expect(mail.to(email(operator)).at(-1)!.text).toContain(`Заявитель предоставил сведения по обращению № ${appeal.number}`);
  });

  it('an action-required notice goes in-app and by e-mail even with every channel of the kind turned off', async () => {
    await setSettings(citizen, (s) => {
      s.kinds.action_required.channels = [];
      s.kinds.action_required.appealTypes = ['suggestion'];
    });
    const saved = (await citizen.get('/api/notifications/settings')).body;
    expect(saved.kinds.action_required.channels).toEqual(['inapp', 'email']);
    const { appeal } = await fileAppeal(citizen);
    await take(appeal.id);
    await transition(operator, appeal.id, 'request_info', 'Нужны сведения');
    await settle(MINUTE);
    const [notice] = await journal(citizen);
    expect(notice!.topic).toBe('action.info_requested');
    expect(Object.keys(notice!.deliveries).sort()).toEqual(['email', 'inapp']);
    await setSettings(citizen, () => undefined);
  });

  it('proposed resolution: the citizen is told the auto-confirmation date; a dispute and a confirmation tell the assignee; experts hear of the closing', async () => {
    const { appeal } = await fileAppeal(citizen);
    await take(appeal.id);
    expect((await operator.post(`/api/appeals/${appeal.id}/experts`, { expertId: expert.user.id })).status).toBe(200);
    await transition(operator, appeal.id, 'propose_resolution', 'Ошибка исправлена');
    await settle(MINUTE);
    const proposed = (await journal(citizen)).find((n) => n.topic === 'action.resolution_proposed' && n.appealNumber === appeal.number);
    expect(proposed).toBeDefined();
    const autoDate = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric' }).format(
      clock.now() - MINUTE + 5 * DAY,
    );
    expect(mail.to(email(citizen)).at(-1)!.text).toContain(`до ${autoDate}`);
    expect((await journal(expert)).find((n) => n.appealNumber === appeal.number)?.topic).toBe('action.invited');

    await transition(citizen, appeal.id, 'dispute', 'Ошибка осталась');
    await settle(MINUTE);
    expect((await journal(operator))[0]!.topic).toBe('action.disputed');
    await transition(operator, appeal.id, 'propose_resolution', 'Теперь исправлено');
    await transition(citizen, appeal.id, 'confirm');
    await settle(MINUTE);
    expect((await journal(operator))[0]!.topic).toBe('status.confirmed');
    expect((await journal(expert))[0]!.topic).toBe('status.closed');
  });

  it('assignment by a supervisor tells the new assignee; the supervisor is not told of their own action', async () => {
    const { appeal } = await fileAppeal(citizen);
    await settle();
    const supervisorBefore = (await journal(supervisor)).length;
    const r = await supervisor.post(`/api/appeals/${appeal.id}/assign`, { assigneeId: operator.user.id });
    expect(r.status).toBe(200);
    await settle(MINUTE);
    expect((await journal(operator))[0]).toMatchObject({ topic: 'action.assigned', appealNumber: appeal.number });
    expect((await journal(supervisor)).length).toBe(supervisorBefore);
  });
});

describe('chat notices', () => {
  it('an internal note reaches staff only, never the citizen; a message to all reaches everyone else not in the room', async () => {
    const { appeal } = await fileAppeal(citizen);
    await take(appeal.id);
    expect((await operator.post(`/api/appeals/${appeal.id}/experts`, { expertId: expert.user.id })).status).toBe(200);
    await settle(MINUTE);
    const citizenBefore = (await journal(citizen)).length;
    const officerSocket = await connect(server.url, operator, { origin: SITE });
    await ok(officerSocket, 'room:join', { appealId: appeal.id });
    await ok(officerSocket, 'chat:send', { appealId: appeal.id, clientId: clientId(), text: 'Проверить платёжный шлюз', internal: true });
    await settle(MINUTE);
    expect((await journal(citizen)).length).toBe(citizenBefore);
    expect((await journal(expert))[0]).toMatchObject({ topic: 'status.chat_message', appealNumber: appeal.number });

    const expertBefore = (await journal(expert)).length;
    const officerBefore = (await journal(operator)).length;
    const citizenSocket = await connect(server.url, citizen, { origin: SITE });
    await ok(citizenSocket, 'room:join', { appealId: appeal.id });
    await ok(citizenSocket, 'chat:send', { appealId: appeal.id, clientId: clientId(), text: 'Добрый день', internal: false });
    await settle(MINUTE);
    // The officer is in the room and sees the message there; the expert is not.
    expect((await journal(operator)).length).toBe(officerBefore);
    expect((await journal(expert)).length).toBe(expertBefore + 1);
    expect((await journal(citizen)).length).toBe(citizenBefore);
    officerSocket.disconnect();
    citizenSocket.disconnect();
  });
});

describe('the clocks’ events (published by the deadline service)', () => {
  it('reminder → assignee; missed → supervisors and assignee; extension → citizen and assignee; redirect → citizen and the receiving supervisors; auto-confirmation soon → citizen; digest → supervisors', async () => {
    const { appeal } = await fileAppeal(citizen);
    await take(appeal.id);
    await settle(MINUTE);
    await clear(citizen, operator, supervisor);
    const access = await accessOf(appeal.id);
    const due = clock.now() + 7 * DAY;
    server.bus.publish({ type: 'deadline.reminder', appeal: access, clock: 'answer', dueAt: due, workingDaysLeft: 5 });
    await settle(MINUTE);
    expect((await journal(operator))[0]).toMatchObject({ topic: 'deadline.reminder', kind: 'deadline' });
    expect(mail.to(email(operator)).at(-1)!.text).toContain('осталось 5 рабочих дней');
    server.bus.publish({ type: 'deadline.missed', appeal: access, clock: 'answer', dueAt: due });
    await settle(MINUTE);
    expect((await journal(supervisor))[0]!.topic).toBe('deadline.missed');
    expect((await journal(operator))[0]!.topic).toBe('deadline.missed');
    server.bus.publish({
      type: 'appeal.extended',
      appeal: access,
      actorId: supervisor.user.id,
      previousDueAt: due,
      dueAt: due + 30 * DAY,
      days: 30,
      reason: 'Нужна экспертиза',
    });
    await settle(MINUTE);
    expect((await journal(citizen))[0]!.topic).toBe('status.extended');
    expect((await journal(operator))[0]!.topic).toBe('deadline.extended');
    const housingSupervisor = await loginAs(server, 'supervisor.housing');
    const housing = housingSupervisor.user.departmentId as string;
    server.bus.publish({
      type: 'appeal.redirected',
      appeal: { ...access, departmentId: housing, assigneeId: null },
      actorId: operator.user.id,
      fromDepartmentId: access.departmentId!,
      toDepartmentId: housing,
      reason: 'Вопрос ЖКХ',
    });
    await settle(MINUTE);
    expect((await journal(citizen))[0]!.topic).toBe('status.redirected');
    expect((await journal(housingSupervisor))[0]).toMatchObject({ topic: 'action.redirected_in', kind: 'action_required' });
    server.bus.publish({ type: 'resolution.autoconfirm_soon', appeal: access, autoConfirmAt: clock.now() + DAY });
    await settle(MINUTE);
    expect((await journal(citizen))[0]!.topic).toBe('action.autoconfirm_soon');
    server.bus.publish({
      type: 'overdue.digest',
      departmentId: access.departmentId!,
      date: '2026-03-05',
      appealIds: [appeal.id as string, `${(appeal.id as string).slice(0, 10)}xxxxxxxxxxxx`],
    });
    await settle(MINUTE);
    const digest = (await journal(supervisor))[0]!;
    expect([digest.topic, digest.appealNumber]).toEqual(['deadline.digest', null]);
    expect(mail.to(email(supervisor)).at(-1)!.text).toContain('просрочено 2 обращения на 05.03.2026');
  });

  it('an event heard twice (two instances, a replay) is journalled and delivered once', async () => {
    const { appeal } = await fileAppeal(citizen);
    await settle();
    const access = await accessOf(appeal.id);
    const event = { type: 'resolution.autoconfirm_soon' as const, appeal: access, autoConfirmAt: clock.now() + DAY };
    const mailsBefore = mail.to(email(citizen)).length;
    await server.notifications.handleEvent(event);
    await server.notifications.handleEvent(event);
    await settle(MINUTE);
    expect((await journal(citizen)).filter((n) => n.topic === 'action.autoconfirm_soon' && n.appealNumber === appeal.number)).toHaveLength(1);
    expect(mail.to(email(citizen)).length).toBe(mailsBefore + 1);
  });
});

describe('SMS', () => {
  it('a status notice by SMS: short text with the number, the gateway’s token; several in a minute merged into one', async () => {
    await setSettings(citizen, (s) => {
      s.kinds.status.channels = ['inapp', 'sms'];
    });
    const before = sms.messages.length;
    const { appeal } = await fileAppeal(citizen);
    await settle();
    const first = sms.messages.slice(before);
    expect(first.map((m) => [m.to, m.text, m.authorization])).toEqual([
      [citizen.user.phone, `Госуслуги: обращение № ${appeal.number} — Обращение принято.`, 'Bearer gw-token'],
    ]);
    await take(appeal.id);
    await transition(operator, appeal.id, 'reject', 'Отказ');
    await settle();
    expect(sms.messages.length).toBe(before + 1);
    await settle(MINUTE);
    expect(sms.messages.slice(before + 1).map((m) => m.text)).toEqual([`Госуслуги: 2 уведомл. по обращениям № ${appeal.number}. Подробнее в личном кабинете.`]);
    for (const m of sms.messages) expect(m.text.length).toBeLessThanOrEqual(160);
    await setSettings(citizen, () => undefined);
  });
});

describe('failures: nothing dropped, nothing waits on the action', () => {
  it('an SMTP server refusing (451) leaves the mail pending; it goes on a later retry; after the last attempt the journal says failed', async () => {
    mail.refuseWith = 451;
    const { appeal } = await fileAppeal(citizen);
    await settle();
    const notice = (await journal(citizen))[0]!;
    expect(notice.appealNumber).toBe(appeal.number);
    expect(notice.deliveries.email).toMatchObject({ state: 'pending' });
    const job = await server.store.jobs.get(`notify.email:${citizen.user.id}`);
    expect([job?.state, job?.attempts, job?.runAt]).toEqual(['pending', 1, clock.now() + 30_000]);
    mail.refuseWith = null;
    const before = mail.to(email(citizen)).length;
    await settle(30_000);
    expect(mail.to(email(citizen)).length).toBe(before + 1);
    expect((await journal(citizen))[0]!.deliveries.email!.state).toBe('sent');

    // Three refusals (maxAttempts 3 here): marked failed, with the server's answer.
    mail.refuseWith = 451;
    clock.advance(10 * MINUTE);
    await take(appeal.id);
    await settle();
    await settle(30_000);
    await settle(60_000);
    const failed = (await journal(citizen))[0]!;
    expect(failed.topic).toBe('status.in_progress');
    expect(failed.deliveries.email!.state).toBe('failed');
    expect(failed.deliveries.email!.error).toContain('451');
    mail.refuseWith = null;
  });

  it('an SMS gateway answering 503 leaves the SMS pending until it answers again', async () => {
    await setSettings(citizen, (s) => {
      s.kinds.status.channels = ['inapp', 'sms'];
    });
    sms.status = 503;
    const before = sms.messages.length;
    await fileAppeal(citizen);
    await settle();
    expect((await journal(citizen))[0]!.deliveries.sms!.state).toBe('pending');
    sms.status = 200;
    await settle(30_000);
    expect(sms.messages.length).toBe(before + 1);
    expect((await journal(citizen))[0]!.deliveries.sms!.state).toBe('sent');
    await setSettings(citizen, () => undefined);
  });

  it('a push service answering 410 removes that device’s subscription', async () => {
    const gone = push.device('old-tablet');
    expect((await citizen.post('/api/notifications/push/subscriptions', gone)).status).toBe(204);
    push.statusOf.set('old-tablet', 410);
    const { appeal } = await fileAppeal(citizen);
    await take(appeal.id);
    await transition(operator, appeal.id, 'request_info', 'Нужны сведения');
    await settle(MINUTE);
    const subs = await server.store.notifications.listPushSubscriptions(citizen.user.id);
    expect(subs.map((s) => s.endpoint)).not.toContain(gone.endpoint);
    expect(subs.map((s) => s.endpoint)).toContain(`${push.base}/push/citizen-phone`);
  });
});

describe('REST: journal, marks, settings and subscriptions', () => {
  it('marks read and unread one’s own notices only; the unread count follows, in every open tab', async () => {
    await fileAppeal(citizen);
    await settle();
    const socket = await connect(server.url, citizen, { origin: SITE });
    const counts = collect<{ unread: number }>(socket, 'notification:unread');
    const [first] = await journal(citizen);
    const unread = (await citizen.get('/api/notifications/unread')).body.unread as number;
    expect(unread).toBeGreaterThan(0);
    const read = await citizen.post('/api/notifications/marks', { ids: [first!.id], read: true });
    expect(read.body).toEqual({ unread: unread - 1 });
    await vi.waitFor(() => {
      expect(counts.at(-1)).toEqual({ unread: unread - 1 });
    });
    expect((await citizen.post('/api/notifications/marks', { ids: [first!.id], read: false })).body).toEqual({ unread });
    // Someone else's id changes nothing.
    expect((await operator.post('/api/notifications/marks', { ids: [first!.id], read: true })).status).toBe(200);
    expect((await journal(citizen))[0]!.readAt).toBeNull();
    expect((await citizen.post('/api/notifications/marks', { all: true })).body).toEqual({ unread: 0 });
    expect((await citizen.get('/api/notifications?unread=true')).body).toMatchObject({ items: [], total: 0, unread: 0 });
    socket.disconnect();
  });

  it('refuses unknown channels and kinds, filters that cannot match, and invalid push subscriptions, each with a message', async () => {
    const base = defaultNotificationSettings();
    const bad = async (body: unknown): Promise<{ status: number; message: string; fields: Record<string, string> }> => {
      const r = await citizen.put('/api/notifications/settings', body);
      return { status: r.status, message: r.body.error?.message, fields: r.body.error?.fields };
    };
    const fax = await bad({ ...base, kinds: { ...base.kinds, status: { ...base.kinds.status, channels: ['inapp', 'fax'] } } });
    expect(fax).toMatchObject({ status: 400, message: 'неизвестный канал: fax' });
    const kind = await bad({ ...base, kinds: { ...base.kinds, gossip: base.kinds.status } });
    expect(kind.status).toBe(400);
    expect(kind.message).toContain('неизвестный вид уведомлений: gossip');
    const noTypes = await bad({ ...base, kinds: { ...base.kinds, deadline: { ...base.kinds.deadline, appealTypes: [] } } });
    expect(noTypes).toMatchObject({ status: 400, message: 'фильтр по типу обращения без единого типа не пропустит ни одного уведомления' });
    expect(noTypes.fields).toHaveProperty(['kinds.deadline.appealTypes']);
    const noPriorities = await bad({ ...base, kinds: { ...base.kinds, status: { ...base.kinds.status, priorities: [] } } });
    expect(noPriorities.message).toBe('фильтр по приоритету без единого приоритета не пропустит ни одного уведомления');
    const zeroDays = await bad({ ...base, kinds: { ...base.kinds, deadline: { ...base.kinds.deadline, deadlineWithinDays: 0 } } });
    expect(zeroDays.message).toBe('срок «не более чем через 0 дней» не пропустит ни одного уведомления');
    expect((await bad({ ...base, timeZone: 'Mars/Olympus' })).message).toBe('неизвестный часовой пояс');

    const device = push.device('bad-device');
    const sub = async (body: unknown) => citizen.post('/api/notifications/push/subscriptions', body);
    const noKeys = await sub({ endpoint: device.endpoint });
    expect([noKeys.status, noKeys.body.error?.message]).toEqual([400, 'Подписка на push-уведомления не принята: нужны ключи p256dh и auth']);
    const shortKey = await sub({ ...device, keys: { ...device.keys, p256dh: 'AAAA' } });
    expect(shortKey.body.error?.message).toBe('Подписка на push-уведомления не принята: ключ p256dh: открытый ключ P-256 (65 байт)');
    const notUrl = await sub({ ...device, endpoint: 'javascript:alert(1)' });
    expect(notUrl.body.error?.message).toBe('Подписка на push-уведомления не принята: адрес подписки (endpoint) — ссылка https');
    expect((await citizen.post('/api/notifications/push/unsubscribe', { endpoint: device.endpoint })).status).toBe(404);
  });

  it('the push key is the server’s VAPID public key: an uncompressed P-256 point', async () => {
    const key = (await citizen.get('/api/notifications/push/key')).body.publicKey as string;
    expect(Buffer.from(key, 'base64url')).toHaveLength(65);
  });
});

describe('SMS quiet hours (last: the clock moves most of a day)', () => {
  it('an SMS due at 23:00 in the person’s time zone goes at 08:00 there', async () => {
    await setSettings(citizen, (s) => {
      s.timeZone = 'Asia/Vladivostok';
      s.kinds.status.channels = ['sms'];
    });
    // 23:00 in Vladivostok (UTC+10) is 13:00 UTC.
    const now = clock.now();
    const day = new Date(now);
    let at2300 = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 13, 0, 0);
    if (at2300 <= now) at2300 += DAY;
    clock.advance(at2300 - now);
    // Up to a day has passed: the sessions of the clients have expired.
    citizen = await loginAs(server, 'citizen');
    const before = sms.messages.length;
    await fileAppeal(citizen);
    await settle();
    expect(sms.messages.length).toBe(before);
    clock.advance(8 * HOUR);
    await settle();
    expect(sms.messages.length).toBe(before);
    // 08:00 in Vladivostok is 22:00 UTC.
    clock.advance(59 * MINUTE);
    await settle();
    expect(sms.messages.length).toBe(before);
    clock.advance(MINUTE);
    await settle();
    expect(sms.messages.slice(before).map((m) => new Date(m.at).toISOString())).toEqual([new Date(at2300 + 9 * HOUR).toISOString()]);
    await setSettings(citizen, () => undefined);
  });
});
