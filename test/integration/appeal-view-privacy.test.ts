/**
 * The appeal view per role (PRODUCT.md §8, docs/api.md "appeal view"): the case
 * file — category fields, details, applicant, type — reaches everyone in the
 * room; the citizen's name, contacts, id and reply contact reach the citizen,
 * the assigned operator and the department's supervisors only, and an invited
 * expert only when the citizen allowed it. The server filters: the fields are
 * absent from the reply, not hidden by the client. Also the auto-confirmation
 * date: the view's `autoConfirmAt` is the moment the sweep completes the appeal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';

const DAY = 24 * 3600 * 1000;
const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
let server: TestServer;
let citizen: TestClient;
let assignee: TestClient;
let colleague: TestClient;
let supervisor: TestClient;
let expert: TestClient;
let foreignOperator: TestClient;
let appealId: string;

const REPLY_CONTACT = 'ivanov.reply@example.ru';
const filed = {
  type: 'complaint',
  details: { service: 'Личный кабинет ЕИРЦ', stepsTaken: 'Звонил в ЕИРЦ', expected: 'Перерасчёт', actual: 'Отказ', replyContact: REPLY_CONTACT },
  applicant: { kind: 'legal_entity', orgName: 'ООО «Ромашка»', orgInn: '7707083893', ogrn: '1027700132195' },
};

beforeAll(async () => {
  server = await startTestServer({ clock });
  citizen = await loginAs(server, 'citizen');
  assignee = await loginAs(server, 'operator.housing');
  supervisor = await loginAs(server, 'supervisor.housing');
  expert = await loginAs(server, 'expert');
  foreignOperator = await loginAs(server, 'operator.portal');
  // A second operator of the same department, who has not taken the appeal.
  const admin = await loginAs(server, 'admin');
  const created = await admin.post('/api/admin/users', {
    email: 'colleague@example.ru',
    phone: '+79990003344',
    password: 'коллега-пароль-55',
    fullName: 'Коллегова Мария',
    role: 'operator',
    departmentId: assignee.user.departmentId,
  });
  expect(created.status).toBe(201);
  colleague = await new TestClient(server.url).login('colleague@example.ru', 'коллега-пароль-55');

  const sub = await fileAppeal(citizen, 'housing_billing', filed);
  appealId = sub.appeal.id;
  expect((await assignee.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
  expect((await assignee.post(`/api/appeals/${appealId}/experts`, { expertId: expert.user.id })).status).toBe(200);
});
afterAll(async () => {
  await server.stop();
});

interface Seen {
  citizen: unknown;
  citizenId: unknown;
  replyContact: unknown;
  caseFile: unknown;
}

/** What `who` is told of the appeal: the personal fields, and the case file everyone in the room gets. */
async function seenBy(who: TestClient): Promise<Seen> {
  const res = await who.get(`/api/appeals/${appealId}`);
  expect(res.status).toBe(200);
  const a = res.body.appeal;
  return {
    citizen: a.citizen,
    citizenId: a.citizenId,
    replyContact: 'replyContact' in a.details ? a.details.replyContact : 'absent',
    caseFile: {
      type: a.type,
      applicant: a.applicant,
      extra: a.extra,
      service: a.details.service,
      stepsTaken: a.details.stepsTaken,
      expected: a.details.expected,
      actual: a.details.actual,
    },
  };
}

const CASE_FILE = {
  type: 'complaint',
  applicant: filed.applicant,
  extra: { accountNumber: 'значение', propertyAddress: 'значение' },
  service: 'Личный кабинет ЕИРЦ',
  stepsTaken: 'Звонил в ЕИРЦ',
  expected: 'Перерасчёт',
  actual: 'Отказ',
};

describe('the appeal view per role: the case file for everyone in the room, contacts per PRODUCT.md §8', () => {
  it('the citizen, the assigned operator and the supervisor see the name, contacts and reply contact', async () => {
    const contacts = { fullName: 'Иванов Иван Иванович', email: 'citizen@demo.local', phone: citizen.user.phone as string };
    for (const who of [citizen, assignee, supervisor]) {
      expect(await seenBy(who)).toEqual({ citizen: contacts, citizenId: citizen.user.id, replyContact: REPLY_CONTACT, caseFile: CASE_FILE });
    }
  });

  it('an operator of the department who is not the assignee sees the case file without any personal field', async () => {
    expect(await seenBy(colleague)).toEqual({ citizen: null, citizenId: null, replyContact: 'absent', caseFile: CASE_FILE });
    // Nor in the queue's list items, which carry the same view.
    const queue = await colleague.get('/api/queue?limit=100');
    const item = queue.body.items.find((a: { id: string }) => a.id === appealId);
    expect([item.citizen, item.citizenId, 'replyContact' in item.details]).toEqual([null, null, false]);
    expect(JSON.stringify(queue.body)).not.toContain(REPLY_CONTACT);
    expect(JSON.stringify(queue.body)).not.toContain('citizen@demo.local');
  });

  it('an invited expert sees the case file, and the contacts only once the citizen allows it for this appeal', async () => {
    expect(await seenBy(expert)).toEqual({ citizen: null, citizenId: null, replyContact: 'absent', caseFile: CASE_FILE });
    // The account-wide setting is the default of new appeals only: this appeal keeps its own choice.
    expect((await citizen.put('/api/me/privacy', { expertsSeeContacts: true })).status).toBe(200);
    expect((await seenBy(expert)).citizen).toBeNull();
    expect((await citizen.put('/api/me/privacy', { expertsSeeContacts: false })).status).toBe(200);
    expect((await citizen.put(`/api/appeals/${appealId}/privacy`, { expertsSeeContacts: true })).status).toBe(200);
    expect((await seenBy(expert)).replyContact).toBe(REPLY_CONTACT);
    expect(((await seenBy(expert)).citizen as { email: string }).email).toBe('citizen@demo.local');
    expect((await citizen.put(`/api/appeals/${appealId}/privacy`, { expertsSeeContacts: false })).status).toBe(200);
    expect((await seenBy(expert)).citizen).toBeNull();
  });

  it('after a reassignment the contacts follow the new assignee', async () => {
    expect((await supervisor.post(`/api/appeals/${appealId}/assign`, { assigneeId: colleague.user.id })).status).toBe(200);
    expect((await seenBy(colleague)).replyContact).toBe(REPLY_CONTACT);
    expect(await seenBy(assignee)).toEqual({ citizen: null, citizenId: null, replyContact: 'absent', caseFile: CASE_FILE });
    expect((await supervisor.post(`/api/appeals/${appealId}/assign`, { assigneeId: assignee.user.id })).status).toBe(200);
  });

  it('an operator of another department does not learn the appeal exists', async () => {
    expect((await foreignOperator.get(`/api/appeals/${appealId}`)).status).toBe(404);
  });
});

describe('the auto-confirmation date in the view', () => {
  it('is null until a resolution is proposed, then five days after it, the moment the sweep completes the appeal', async () => {
    const { appeal } = await fileAppeal(citizen, 'housing_billing');
    expect((await citizen.get(`/api/appeals/${appeal.id}`)).body.appeal.autoConfirmAt).toBeNull();
    await assignee.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' });
    const proposedAt = clock.now();
    const proposed = await assignee.post(`/api/appeals/${appeal.id}/transitions`, { action: 'propose_resolution', comment: 'Перерасчёт сделан' });
    expect(proposed.body.appeal.autoConfirmAt).toBe(proposedAt + 5 * DAY);
    const at = (await citizen.get(`/api/appeals/${appeal.id}`)).body.appeal.autoConfirmAt as number;
    expect(at).toBe(proposedAt + 5 * DAY);

    clock.advance(at - clock.now() - 1);
    expect(await server.services.appeals.autoConfirmDue()).toBe(0);
    clock.advance(1);
    expect(await server.services.appeals.autoConfirmDue()).toBe(1);
    citizen = await loginAs(server, 'citizen');
    const done = (await citizen.get(`/api/appeals/${appeal.id}`)).body.appeal;
    expect([done.status, done.autoConfirmAt]).toEqual(['completed', null]);
  });
});
