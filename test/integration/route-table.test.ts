/**
 * The REST route table (shared/protocol/routes.ts) against the real server:
 * every route the client can call by key is mounted, from the table, with the
 * table's method and path (so its body and query are parsed with the table's
 * schemas), nothing else is mounted under /api, and every route answers with
 * the table's status and exactly the shape of its reply schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import type * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROUTES, routeUrl, type QueryValues, type RouteKey, type RouteSpec } from '../../shared/protocol/routes.js';
import { routeKeyOf } from '../../server/transport/http/mount-route.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient, type ApiResponse } from '../helpers/session.js';
import { closeAllYjs, openYjs, waitFor } from '../helpers/yjs.js';
import { INITIAL_CONSENT } from '../../server/domain/accounts/consent.js';

let server: TestServer;
beforeAll(async () => {
  // Every client here comes from 127.0.0.1: the per-IP login budget is raised for the route walk.
  server = await startTestServer({ accountLimits: { loginPerIp: { points: 1000, durationSec: 60 } } });
});
afterAll(async () => {
  closeAllYjs();
  await server.stop();
});

interface MountedRoute {
  method: string;
  path: string;
  key: RouteKey | undefined;
}

interface StackLayer {
  route?: { path: unknown; stack: { method?: string; handle: unknown }[] };
  handle?: { stack?: StackLayer[] };
}

/** Every method + path route of the Express app, routers included, with the table key of its final handler. */
function mountedRoutes(app: Express): MountedRoute[] {
  const out: MountedRoute[] = [];
  const walk = (stack: StackLayer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        const last = layer.route.stack.at(-1);
        out.push({ method: (last?.method ?? '').toUpperCase(), path: String(layer.route.path), key: routeKeyOf(last?.handle) });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack);
  return out;
}

describe('REST route table', () => {
  it('mounts every route of the table from the table, with its method and path, and nothing else under /api', async () => {
    const app = await expressAppOf(server);
    const api = mountedRoutes(app).filter((r) => r.path.startsWith('/api/'));
    for (const r of api) {
      expect(r.key, `${r.method} ${r.path} is mounted outside the route table`).toBeDefined();
      const spec: RouteSpec = ROUTES[r.key!];
      expect(`${r.method} ${r.path}`, r.key).toBe(`${spec.method} ${spec.path}`);
    }
    expect(api.map((r) => r.key).sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it('answers every route with its status and exactly the shape of its reply schema', async () => {
    const exercised = new Set<RouteKey>();
    /** Calls `key` as `client` and checks the answer against the table. */
    async function call(
      client: TestClient,
      key: RouteKey,
      input: { params?: Record<string, string>; body?: unknown; query?: QueryValues } = {},
    ): Promise<ApiResponse> {
      const spec: RouteSpec = ROUTES[key];
      const url = routeUrl(key, (input.params ?? {}) as never, input.query);
      const res = await client.request(spec.method, url, input.body ?? (spec.method === 'GET' || spec.method === 'DELETE' ? undefined : {}));
      const expected = spec.reply === 'empty' ? 204 : (spec.status ?? 200);
      expect(res.status, `${key}: ${JSON.stringify(res.body)}`).toBe(expected);
      if (typeof spec.reply === 'object') {
        const parsed = spec.reply.safeParse(res.body);
        expect(parsed.error, key).toBeUndefined();
        // Parsing drops keys the schema does not name: equal means the reply has none.
        expect(parsed.data, `${key} replies with fields its schema does not name`).toStrictEqual(res.body);
      }
      exercised.add(key);
      return res;
    }

    const anonymous = new TestClient(server.url);
    await call(anonymous, 'health');

    // Accounts: a newcomer registers, confirms both codes, reads and edits itself.
    const newcomer = new TestClient(server.url);
    const email = `route-table-${Date.now()}@mail.ru`;
    const phone = `+79${String(Date.now()).slice(-9)}`;
    const registered = await call(newcomer, 'auth.register', {
      body: {
        email,
        phone,
        password: 'correct horse 42',
        fullName: 'Петров Пётр Петрович',
        birthDate: '1985-04-12',
        inn: '500100732259',
        address: 'г. Москва, ул. Тверская, д. 1',
        consentVersion: INITIAL_CONSENT.version,
      },
    });
    const phoneRequest = (registered.body.codes as { requestId: string; channel: string }[]).find((c) => c.channel === 'phone')!;
    const emailRequest = (await call(newcomer, 'auth.resend', { body: { channel: 'email' } })).body.request;
    await call(newcomer, 'auth.confirm', { body: { requestId: emailRequest.requestId, code: await outboxCode('email', email) } });
    await call(newcomer, 'auth.confirm', { body: { requestId: phoneRequest.requestId, code: await outboxCode('sms', phone) } });
    await call(newcomer, 'me.get');
    await call(newcomer, 'me.privacy', { body: { expertsSeeContacts: true } });
    // The profile, recovery, unlock and consent (docs/accounts.md).
    await call(anonymous, 'consent.get');
    await call(newcomer, 'me.consent', { body: { version: INITIAL_CONSENT.version } });
    await call(newcomer, 'me.profile', {
      body: { fullName: 'Петров Пётр', birthDate: '1985-04-12', inn: '500100732259', address: 'г. Москва, ул. Тверская, д. 2' },
    });
    const newPhone = `+79${String(Date.now() + 3).slice(-9)}`;
    const change = await call(newcomer, 'me.contact', { body: { channel: 'phone', value: newPhone } });
    await call(newcomer, 'me.contactConfirm', { body: { requestId: change.body.request.requestId, code: await outboxCode('sms', newPhone) } });
    const laptop = await new TestClient(server.url).login(email, 'correct horse 42');
    const listed = await call(newcomer, 'me.sessions');
    await call(newcomer, 'me.sessionEnd', { params: { id: (listed.body.items as { id: string; current: boolean }[]).find((s) => !s.current)!.id } });
    expect((await laptop.get('/api/me')).body.user).toBeNull();
    await call(newcomer, 'me.password', { body: { currentPassword: 'correct horse 42', newPassword: 'correct horse 43' } });
    // Recovery and unlock codes leave after the answer: wait for the outbox's newest code to change.
    const lastCode = await outboxCode('email', email);
    const recovery = await call(new TestClient(server.url), 'auth.recover', { body: { login: email } });
    const recoveryCode = await vi.waitFor(
      async () => {
        const code = await outboxCode('email', email);
        if (code === lastCode) throw new Error('the recovery code has not arrived yet');
        return code;
      },
      { timeout: 5000, interval: 50 },
    );
    const recovered = new TestClient(server.url);
    await call(recovered, 'auth.recoverReset', {
      body: { login: email, requestId: recovery.body.request.requestId, code: recoveryCode, password: 'correct horse 42' },
    });
    await recovered.post('/api/me/lock');
    const unlock = await call(new TestClient(server.url), 'auth.unlock', { body: { login: email } });
    const unlockCode = await vi.waitFor(
      async () => {
        const code = await outboxCode('email', email);
        if (code === recoveryCode) throw new Error('the unlock code has not arrived yet');
        return code;
      },
      { timeout: 5000, interval: 50 },
    );
    await call(new TestClient(server.url), 'auth.unlockConfirm', {
      body: { login: email, requestId: unlock.body.request.requestId, code: unlockCode },
    });
    await call(newcomer, 'auth.logout');
    await call(new TestClient(server.url), 'auth.login', { body: { login: email, password: 'correct horse 42' } });

    // Admin: users, departments, categories.
    const admin = await loginAs(server, 'admin');
    await call(admin, 'admin.users.list', { query: { role: 'operator', limit: 5 } });
    const created = await call(admin, 'admin.users.create', {
      body: {
        email: `staff-${Date.now()}@mail.ru`,
        phone: `+79${String(Date.now() + 7).slice(-9)}`,
        password: 'correct horse 42',
        fullName: 'Сидоров Сидор',
        role: 'expert',
      },
    });
    await call(admin, 'admin.users.update', { params: { id: created.body.user.id }, body: { locked: false } });
    const department = await call(admin, 'admin.departments.create', {
      body: { code: `dep_${Date.now()}`, name: 'Тестовый департамент', region: '77', level: 'regional' },
    });
    await call(admin, 'admin.departments.update', { params: { id: department.body.department.id }, body: { name: 'Тестовый департамент 2' } });
    await call(admin, 'admin.categories.list');
    const category = await call(admin, 'admin.categories.create', {
      body: {
        code: `cat_${Date.now()}`,
        name: 'Тестовая тема',
        departmentId: department.body.department.id,
        deadlineDays: 10,
        requiredDocuments: ['Паспорт'],
        extraFields: [{ key: 'account', label: 'Счёт', kind: 'text', required: false }],
        keywords: ['тест'],
      },
    });
    await call(admin, 'admin.categories.update', { params: { id: category.body.category.id }, body: { archived: true } });

    // Catalogue and appeals: a citizen's draft, submission, the officer's work, the expert's room.
    const citizen = await loginAs(server, 'citizen');
    const operator = await loginAs(server, 'operator.portal');
    const supervisor = await loginAs(server, 'supervisor.portal');
    const expert = await loginAs(server, 'expert');
    await call(citizen, 'departments.list');
    const categories = await call(citizen, 'categories.list');
    await call(citizen, 'categories.suggest', { body: { text: 'не приходит код подтверждения на портале' } });
    const portal = (categories.body.items as { id: string; code: string; extraFields: { key: string; kind: string }[] }[]).find(
      (c) => c.code === 'portal_issues',
    )!;
    const extra = Object.fromEntries(portal.extraFields.map((f) => [f.key, f.kind === 'date' ? '2026-03-01' : 'значение']));
    const draft = await call(citizen, 'appeals.create', { body: { categoryId: portal.id, type: 'complaint', subject: 'Черновик', extra } });
    await call(citizen, 'appeals.update', {
      params: { id: draft.body.appeal.id },
      body: { subject: 'Не работает кнопка оплаты', description: 'При нажатии на кнопку «Оплатить» страница зависает.', version: draft.body.appeal.version },
    });
    const submitted = await call(citizen, 'appeals.submit', { params: { id: draft.body.appeal.id } });
    const appeal = submitted.body.appeal as { id: string; number: string };
    await call(citizen, 'appeals.get', { params: { id: appeal.id } });
    await call(citizen, 'appeals.mine', { query: { limit: 10, offset: 0 } });
    await call(operator, 'queue.list', { query: { assignee: 'none', sort: 'deadline' } });
    await call(operator, 'appeals.transition', { params: { id: appeal.id }, body: { action: 'take' } });
    await call(operator, 'appeals.history', { params: { id: appeal.id }, query: { after: 0 } });
    const staff = await call(supervisor, 'staff.get');
    await call(supervisor, 'wall.list', { query: { limit: 10, offset: 0 } });
    const canned = await call(supervisor, 'canned.create', { body: { title: 'Приветствие', text: 'Здравствуйте, {имя}!' } });
    await call(operator, 'canned.list');
    await call(supervisor, 'canned.update', { params: { id: canned.body.reply.id }, body: { title: 'Приветствие', text: 'Добрый день, {имя}!' } });
    await call(supervisor, 'canned.delete', { params: { id: canned.body.reply.id } });
    // Support conversations (docs/support.md): the portal's department is the support department.
    await call(citizen, 'support.open', { body: { topic: 'Не приходит код', message: 'Второй день не приходит код подтверждения.' } });
    await call(citizen, 'support.mine', { query: { limit: 10, offset: 0 } });
    await call(operator, 'support.queue', { query: { limit: 10, offset: 0 } });
    const [first, second] = [
      (await fileAppeal(citizen, 'portal_issues', { type: 'application' })).appeal,
      (await fileAppeal(citizen, 'portal_issues', { type: 'application' })).appeal,
    ];
    await call(operator, 'groups.duplicates', { params: { id: first.id } });
    const group = await call(operator, 'groups.link', { body: { appealIds: [first.id, second.id] } });
    await call(operator, 'groups.ofAppeal', { params: { id: first.id } });
    await call(operator, 'groups.addNote', { params: { id: group.body.group.id }, body: { text: 'Одна причина у обоих' } });
    await call(operator, 'groups.notes', { params: { id: group.body.group.id } });
    await call(operator, 'groups.transition', { params: { id: group.body.group.id }, body: { action: 'take' } });
    await call(operator, 'groups.unlink', { params: { id: second.id } });
    await call(supervisor, 'appeals.assign', { params: { id: appeal.id }, body: { assigneeId: operator.user.id } });
    await call(operator, 'appeals.inviteExpert', { params: { id: appeal.id }, body: { expertId: expert.user.id } });
    await call(expert, 'appeals.invited');
    // Personal data (docs/privacy.md): the citizen's choice for experts, the access log.
    await call(citizen, 'appeals.privacy', { params: { id: appeal.id }, body: { expertsSeeContacts: true } });
    await call(citizen, 'me.accessLog', { query: { limit: 10 } });
    await call(supervisor, 'accessLog.list', { query: { limit: 10 } });
    // Search and analytics (docs/search.md, docs/analytics.md).
    await call(operator, 'search.appeals', { query: { q: appeal.number } });
    const thisYear = new Date().getUTCFullYear();
    const year = { from: `${thisYear}-01-01`, to: `${thisYear}-12-31` };
    await call(supervisor, 'analytics.get', { query: year });
    await call(supervisor, 'analytics.appeals', { query: { ...year, figure: 'received' } });
    await call(supervisor, 'analytics.csv', { query: { ...year, figure: 'received' } });
    expect(staff.body.experts.length).toBeGreaterThan(0);

    // Attachments.
    const uploaded = await call(citizen, 'attachments.upload', { params: { id: appeal.id }, body: formWith([{ name: 'скан.pdf', bytes: pdfBytes() }]) });
    const attId = uploaded.body.items[0].id as string;
    await call(citizen, 'attachments.addVersion', { params: { id: appeal.id, attId }, body: formWith([{ name: 'скан (2).pdf', bytes: pdfBytes('v2') }]) });
    await call(citizen, 'attachments.restore', { params: { id: appeal.id, attId }, body: { version: 1 } });
    await call(citizen, 'attachments.list', { params: { id: appeal.id } });
    await call(operator, 'attachments.journal', { params: { id: appeal.id } });

    // The case's entries: a supplement, the list, the officer's mark.
    const supplement = await call(citizen, 'entries.supplement', { params: { id: appeal.id }, body: { text: 'Прикладываю скан', attachmentIds: [attId] } });
    await call(operator, 'entries.list', { params: { id: appeal.id }, query: { after: 0 } });
    await call(operator, 'entries.seen', { params: { id: appeal.id }, body: { seq: supplement.body.entry.seq } });
    const file = await call(citizen, 'attachments.download', { params: { id: appeal.id, attId }, query: { version: 2, inline: '1' } });
    expect(file.headers.get('content-type')).toBe('application/pdf');

    // The description's versions: one is kept when the last editor leaves.
    const editor = await openYjs(server.url, citizen.cookie, appeal.id);
    ((editor.doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'Правка. ');
    await waitFor(() => server.collab.description.loadedCount() === 1, 5000, 'room loaded');
    editor.destroy();
    await waitFor(() => server.collab.description.loadedCount() === 0, 10_000, 'room unloaded');
    const versions = await call(operator, 'description.versions', { params: { id: appeal.id } });
    const versionId = (versions.body.items as { id: string }[])[0]?.id;
    expect(versionId, 'a version is kept').toBeDefined();
    await call(operator, 'description.version', { params: { id: appeal.id, versionId: versionId! } });
    await call(operator, 'description.restore', { params: { id: appeal.id, versionId: versionId! } });

    await call(operator, 'appeals.removeExpert', { params: { id: appeal.id, expertId: expert.user.id } });
    await call(anonymous, 'public.status', { body: { number: appeal.number, accessCode: submitted.body.accessCode } });

    // The law's clocks: an extension, the calendar, then a redirect (the department loses the appeal).
    await call(supervisor, 'appeals.extend', { params: { id: appeal.id }, body: { days: 5, reason: 'Нужна проверка на месте' } });
    const calendar = await call(admin, 'admin.calendar.get', { query: { year: 2026 } });
    await call(admin, 'admin.calendar.put', { body: { year: 2026, decree: calendar.body.calendar.decree, days: calendar.body.calendar.days } });
    await call(operator, 'appeals.redirect', {
      params: { id: appeal.id },
      body: { departmentId: department.body.department.id, reason: 'Не наша компетенция' },
    });

    // After the decision (docs/decisions.md): the decision's and the case's PDFs, a rating, its review and re-examination.
    const decided = (await fileAppeal(citizen, 'portal_issues', { type: 'application' })).appeal as { id: string };
    await operator.post(`/api/appeals/${decided.id}/transitions`, { action: 'take' });
    await operator.post(`/api/appeals/${decided.id}/transitions`, { action: 'propose_resolution', comment: 'Платёж зачислен' });
    const confirmed = await citizen.post(`/api/appeals/${decided.id}/transitions`, { action: 'confirm' });
    await call(citizen, 'decisions.pdf', { params: { id: decided.id, decisionId: confirmed.body.appeal.decisions[0].id } });
    await call(operator, 'appeals.pdf', { params: { id: decided.id } });
    await call(citizen, 'feedback.rate', { params: { id: decided.id }, body: { stars: 4, category: 'service' } });
    await call(citizen, 'feedback.change', { params: { id: decided.id }, body: { stars: 2, category: 'legal', remarks: 'Не по существу' } });
    await call(supervisor, 'reviews.list', { query: { state: 'open' } });
    await call(supervisor, 'review.act', { params: { id: decided.id }, body: { action: 'start' } });
    const reExamined = await call(supervisor, 'review.act', {
      params: { id: decided.id },
      body: { action: 're_examine', assigneeId: supervisor.user.id, comment: 'Пересмотреть', checklist: ['Запросить выписку'] },
    });
    await call(supervisor, 'review.checklist', {
      params: { id: decided.id, itemId: reExamined.body.appeal.feedback.review.checklist[0].id },
      body: { done: true },
    });

    // Links and kinds (docs/after-decision.md): a suggestion answered and marked, then repeated; an escalation answered.
    const suggestion = (await fileAppeal(citizen, 'portal_issues', { type: 'suggestion' })).appeal as { id: string };
    await operator.post(`/api/appeals/${suggestion.id}/transitions`, { action: 'take' });
    await call(operator, 'appeals.suggestionAnswer', { params: { id: suggestion.id }, body: { text: 'Спасибо, учтём', mark: 'under_consideration' } });
    await call(operator, 'appeals.suggestionMark', { params: { id: suggestion.id }, body: { mark: 'taken_into_account' } });
    await call(citizen, 'appeals.repeat', { params: { id: suggestion.id }, body: { text: 'Предлагаю ещё раз' } });
    await call(citizen, 'appeals.links', { params: { id: suggestion.id } });
    const housing = (await fileAppeal(citizen, 'housing_billing')).appeal as { id: string };
    const departments = (await citizen.get('/api/departments')).body.items as { id: string; code: string }[];
    const ministryId = departments.find((d) => d.code === 'minstroy')!.id;
    const escalated = await call(citizen, 'appeals.escalate', {
      params: { id: housing.id },
      body: { departmentId: ministryId, reason: 'Департамент не ответил по существу' },
    });
    const ministry = await loginAs(server, 'operator.minstroy');
    await ministry.post(`/api/appeals/${escalated.body.appealId}/transitions`, { action: 'take' });
    await call(ministry, 'appeals.escalationAnswer', { params: { id: escalated.body.appealId }, body: { kind: 'decision', text: 'Перерасчёт поручен' } });

    // Notifications: the journal, marks, settings, one device's push subscription.
    await call(citizen, 'notifications.list', { query: { limit: 10 } });
    await call(citizen, 'notifications.unread');
    await call(citizen, 'notifications.mark', { body: { all: true } });
    const notifySettings = await call(citizen, 'notifications.settings');
    await call(citizen, 'notifications.saveSettings', { body: notifySettings.body });
    await call(citizen, 'notifications.pushKey');
    const device = {
      endpoint: 'https://push.example/device-1',
      keys: { p256dh: Buffer.alloc(65, 4).toString('base64url'), auth: Buffer.alloc(16, 7).toString('base64url') },
    };
    await call(citizen, 'notifications.pushSubscribe', { body: device });
    await call(citizen, 'notifications.pushUnsubscribe', { body: { endpoint: device.endpoint } });
    // Oversight (docs/oversight.md): the journal on screen, publication on Open311, keys, webhooks.
    await call(supervisor, 'audit.list', { query: { appeal: appeal.number, limit: 10, offset: 0 } });
    await call(admin, 'audit.verify');
    await call(citizen, 'appeals.setPublicity', { params: { id: appeal.id }, body: { public: true } });
    await call(citizen, 'appeals.publicity', { params: { id: appeal.id } });
    const apiKey = await call(admin, 'admin.apiKeys.create', { body: { name: 'Открытые данные', ratePerMinute: 60 } });
    await call(admin, 'admin.apiKeys.list');
    await call(admin, 'admin.apiKeys.revoke', { params: { id: apiKey.body.key.id as string } });
    const hook = await call(admin, 'admin.webhooks.create', { body: { url: 'https://10.0.0.9/hook', events: ['appeal.decision'], allowPrivate: true } });
    await call(admin, 'admin.webhooks.list');
    const hookDeliveries = await call(admin, 'admin.webhooks.deliveries', { query: { limit: 10, offset: 0 } });
    expect(hookDeliveries.body.items).toEqual([]);
    await oversightDelivery(server, hook.body.webhook.id as string);
    const [logged] = (await call(admin, 'admin.webhooks.deliveries', { query: { limit: 10, offset: 0 } })).body.items as { id: string }[];
    await call(admin, 'admin.webhooks.replay', { params: { id: logged!.id } });
    await call(admin, 'admin.webhooks.delete', { params: { id: hook.body.webhook.id as string } });

    // The newcomer takes their data out, then deletes the account (docs/personal-data.md).
    const leaver = await new TestClient(server.url).login(email, 'correct horse 42');
    const exported = await call(leaver, 'me.exports.create');
    // runDue waits for a pass the server's timer may have started, then runs what is due: the export is ready after it.
    await server.scheduler.runDue();
    expect((await call(leaver, 'me.exports.list')).body.items[0].state).toBe('ready');
    await call(leaver, 'me.exports.download', { params: { id: exported.body.export.id as string } });
    await call(leaver, 'me.delete', { body: { password: 'correct horse 42', confirm: true } });

    // A person locks their own account.
    const locker = await loginAs(server, 'operator.housing');
    await call(locker, 'me.lock');

    expect([...exercised].sort()).toEqual(Object.keys(ROUTES).sort());
  });
});

/**
 * The server's Express app. socket.io wraps the HTTP server's request listener,
 * so the app is taken from a request it handled: Express gives each request
 * `req.app` before this listener, added after it, runs.
 */
async function expressAppOf(s: TestServer): Promise<Express> {
  let app: Express | undefined;
  const grab = (req: { app?: Express }): void => {
    app ??= req.app;
  };
  s.http.on('request', grab);
  try {
    await fetch(`${s.url}/api/health`);
  } finally {
    s.http.off('request', grab);
  }
  if (!app) throw new Error('no Express app seen on a request');
  return app;
}

/** A delivery in the webhook's log, stored as the service stores one (nothing is sent: its job is not queued). */
async function oversightDelivery(s: TestServer, webhookId: string): Promise<void> {
  const now = Date.now();
  await s.store.oversight.createDelivery({
    id: `route-table-delivery-${now}`,
    webhookId,
    event: 'appeal.decision',
    body: '{}',
    state: 'failed',
    attempts: 8,
    lastStatus: 500,
    lastError: 'HTTP 500',
    createdAt: now,
    updatedAt: now,
    deliveredAt: null,
    replayOf: null,
  });
}

/** The newest code sent to `to` through the dev outbox. */
async function outboxCode(channel: 'email' | 'sms', to: string): Promise<string> {
  const file = path.join(server.dataDir, 'outbox.log');
  let code: string | undefined;
  await waitFor(
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
  return code!;
}
