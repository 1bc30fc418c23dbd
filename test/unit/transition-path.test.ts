/**
 * The transition path of AppealService (transition → transitionRecord → apply →
 * commit) over a real SQLite store with a manual clock: what is written (the
 * record, its history entry, the journal entry, the bus event) and every
 * refusal with its exact code, message and fields, before anything is written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppealService } from '../../server/domain/appeals/appeal.service.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { DomainError } from '../../server/domain/errors.js';
import { LocalBus, type DomainEvent } from '../../server/domain/events.js';
import type { Viewer } from '../../server/domain/viewer.js';
import { ManualClock } from '../../server/lib/clock.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { AppealRecord, Store } from '../../server/store/store.js';
import { DAY, makeAppeal, makeCategory, makeRegisteredAppeal, makeUser, MINUTE, T0 } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const DEP = 'd-education';
const citizen: Viewer = { id: 'u-citizen', role: 'citizen', departmentId: null, sessionId: 's-citizen' };
const assignee: Viewer = { id: 'u-assignee', role: 'operator', departmentId: DEP, sessionId: 's-assignee' };
const colleague: Viewer = { id: 'u-colleague', role: 'operator', departmentId: DEP, sessionId: 's-colleague' };
const supervisor: Viewer = { id: 'u-supervisor', role: 'supervisor', departmentId: DEP, sessionId: 's-supervisor' };
const foreignOperator: Viewer = { id: 'u-foreign', role: 'operator', departmentId: 'd-other', sessionId: 's-foreign' };
const expert: Viewer = { id: 'u-expert', role: 'expert', departmentId: null, sessionId: 's-expert' };

const dir = tempDirs('transition-path-');
let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

interface Fixture {
  service: AppealService;
  store: Store;
  clock: ManualClock;
  events: DomainEvent[];
  /** Reads of one appeal by id. */
  reads: () => number;
}

async function setup(...appeals: AppealRecord[]): Promise<Fixture> {
  const s = await openSqliteStore({ dataDir: await dir() });
  store = s;
  for (const v of [citizen, assignee, colleague, supervisor, foreignOperator, expert]) {
    await s.users.create(makeUser({ id: v.id, role: v.role, departmentId: v.departmentId, fullName: `Имя ${v.id}` }));
  }
  for (const a of appeals) await s.appeals.create(a);
  let reads = 0;
  const get = s.appeals.get.bind(s.appeals);
  s.appeals.get = (id) => {
    reads++;
    return get(id);
  };
  const clock = new ManualClock(T0 + DAY);
  const bus = new LocalBus();
  const events: DomainEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const service = new AppealService({ store: s, clock, audit: new AuditService(s, clock), bus, secret: 'test-secret' });
  return { service, store: s, clock, events, reads: () => reads };
}

function inProgress(overrides: Partial<AppealRecord> = {}): AppealRecord {
  return makeRegisteredAppeal({
    id: 'a-path',
    citizenId: citizen.id,
    departmentId: DEP,
    assigneeId: assignee.id,
    expertIds: [expert.id],
    status: 'in_progress',
    version: 5,
    ...overrides,
  });
}

/** The refusal `run` ends with; the appeal, its history and the journal unchanged. */
async function expectRefused(f: Fixture, run: Promise<unknown>, expected: { code: string; message: string; fields?: Record<string, string> }): Promise<void> {
  const before = { appeal: await f.store.appeals.get('a-path'), history: await f.store.appeals.history('a-path'), audit: await f.store.audit.list(0, 100) };
  const err: unknown = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect(err).toMatchObject(expected);
  if (!expected.fields) expect((err as DomainError).fields).toBeUndefined();
  expect(await f.store.appeals.get('a-path')).toStrictEqual(before.appeal);
  expect(await f.store.appeals.history('a-path')).toStrictEqual(before.history);
  expect(await f.store.audit.list(0, 100)).toStrictEqual(before.audit);
  expect(f.events).toStrictEqual([]);
}

describe('a transition that is taken', () => {
  it('writes the status, times, history entry, journal entry and event, and returns the view', async () => {
    const f = await setup(inProgress());
    f.clock.advance(7 * MINUTE);
    const now = T0 + DAY + 7 * MINUTE;
    const view = await f.service.transition(assignee, 'a-path', { action: 'request_info', comment: '  Нужна копия договора  ', version: 5 });
    expect(view).toMatchObject({ id: 'a-path', status: 'info_requested', version: 6, assigneeId: assignee.id, statusChangedAt: now, updatedAt: now });
    expect(view).not.toHaveProperty('accessCodeHash');

    const stored = await f.store.appeals.get('a-path');
    expect(stored).toMatchObject({ status: 'info_requested', version: 6, statusChangedAt: now, updatedAt: now, assigneeId: assignee.id });
    const history = await f.store.appeals.history('a-path');
    expect(history).toStrictEqual([
      {
        appealId: 'a-path',
        seq: 1,
        at: now,
        actorId: assignee.id,
        actorRole: 'operator',
        from: 'in_progress',
        to: 'info_requested',
        action: 'request_info',
        comment: 'Нужна копия договора',
      },
    ]);
    const audit = await f.store.audit.list(0, 100);
    // The transition's entry, then the access-log entry of the reply's view, which carries the citizen's contacts to the assignee.
    expect(audit.map((e) => e.action)).toEqual(['appeal.request_info', 'personal_data.read']);
    expect(audit[1]).toMatchObject({
      actorId: assignee.id,
      subjectType: 'user',
      subjectId: stored!.citizenId,
      details: { appealId: 'a-path', role: 'operator', via: 'appeal' },
    });
    expect(audit[0]).toMatchObject({
      at: now,
      actorId: assignee.id,
      action: 'appeal.request_info',
      subjectType: 'appeal',
      subjectId: 'a-path',
      details: { from: 'in_progress', to: 'info_requested' },
    });
    // The event carries the access fields and the entry, never the record (no hash, no texts).
    const { id, status, version, citizenId, assigneeId, departmentId, expertIds } = stored!;
    expect(f.events).toStrictEqual([
      { type: 'appeal.status_changed', appeal: { id, status, version, citizenId, assigneeId, departmentId, expertIds }, entry: history[0] },
    ]);
  });

  it('transitionRecord returns the stored record itself', async () => {
    const f = await setup(inProgress());
    const record = await f.service.transitionRecord(assignee, 'a-path', { action: 'propose_resolution', comment: 'Решение готово' });
    expect(record).toStrictEqual(await f.store.appeals.get('a-path'));
    expect(record.status).toBe('awaiting_confirmation');
  });

  it('a transition that needs no comment stores none (null), and no version means no version check', async () => {
    const f = await setup(inProgress({ status: 'info_requested' }));
    await f.service.transition(assignee, 'a-path', { action: 'resume' });
    expect((await f.store.appeals.history('a-path'))[0]).toMatchObject({ action: 'resume', comment: null, actorRole: 'operator' });
  });

  it('take makes the taker the assignee; other transitions leave the assignee as it was', async () => {
    const f = await setup(inProgress({ status: 'registered', assigneeId: null }));
    await f.service.transition(colleague, 'a-path', { action: 'take' });
    expect(await f.store.appeals.get('a-path')).toMatchObject({ status: 'in_progress', assigneeId: colleague.id });
    await f.service.transition(supervisor, 'a-path', { action: 'request_info', comment: 'Уточните адрес' });
    await f.service.transition(citizen, 'a-path', { action: 'provide_info', comment: 'Адрес уточнён' });
    expect(await f.store.appeals.get('a-path')).toMatchObject({ status: 'in_progress', assigneeId: colleague.id });
    expect((await f.store.appeals.history('a-path')).map((h) => h.actorRole)).toStrictEqual(['operator', 'supervisor', 'citizen']);
  });

  it('an operator may take an appeal another operator holds', async () => {
    const f = await setup(inProgress({ status: 'registered' }));
    await f.service.transition(colleague, 'a-path', { action: 'take' });
    expect((await f.store.appeals.get('a-path'))?.assigneeId).toBe(colleague.id);
  });

  it("the owner acts as the applicant whatever their account's role is now", async () => {
    // An account that filed the appeal as a citizen and was made an operator since.
    const f = await setup(inProgress({ status: 'info_requested', citizenId: colleague.id }));
    await f.service.transition(colleague, 'a-path', { action: 'provide_info', comment: 'Вот документ' });
    expect((await f.store.appeals.get('a-path'))?.status).toBe('in_progress');
    expect((await f.store.appeals.history('a-path'))[0]).toMatchObject({ actorRole: 'citizen', actorId: colleague.id });
  });

  it('submit through transition numbers and routes the draft', async () => {
    const category = makeCategory({ departmentId: DEP, deadlineDays: 15 });
    const draft = makeAppeal({ id: 'a-path', citizenId: citizen.id, categoryId: category.id, departmentId: null, status: 'draft', version: 2 });
    const f = await setup(draft);
    await f.store.catalogue.createCategory(category);
    const view = await f.service.transition(citizen, 'a-path', { action: 'submit', version: 2 });
    const now = T0 + DAY;
    // 15 days from the day after 3 March (Moscow time): Wednesday 18 March, to its end.
    expect(view).toMatchObject({ status: 'registered', departmentId: DEP, submittedAt: now, deadlineAt: Date.parse('2026-03-18T23:59:59.999+03:00') });
    expect(view.number).toMatch(/^77-2026-000001$/);
    expect((await f.store.appeals.history('a-path'))[0]).toMatchObject({ action: 'submit', from: 'draft', to: 'registered', actorRole: 'citizen' });
  });

  it('resubmit through transition counts the resubmission and keeps the number', async () => {
    const category = makeCategory({ departmentId: DEP });
    const rejected = inProgress({ status: 'rejected', categoryId: category.id, number: '77-2026-000042', resubmissionCount: 1 });
    const f = await setup(rejected);
    await f.store.catalogue.createCategory(category);
    const record = await f.service.transitionRecord(citizen, 'a-path', { action: 'resubmit' });
    expect(record).toMatchObject({ status: 'registered', number: '77-2026-000042', resubmissionCount: 2 });
    expect((await f.store.appeals.history('a-path'))[0]).toMatchObject({ action: 'resubmit', from: 'rejected', to: 'registered' });
  });

  it('auto-confirmation commits as the system, with no actor, after five quiet days', async () => {
    const f = await setup(inProgress({ status: 'awaiting_confirmation', statusChangedAt: T0 }));
    f.clock.advance(4 * DAY);
    expect(await f.service.autoConfirmDue()).toBe(1);
    const [entry] = await f.store.appeals.history('a-path');
    expect(entry).toMatchObject({
      actorId: null,
      actorRole: 'system',
      action: 'auto_confirm',
      to: 'completed',
      comment: 'Подтверждено автоматически: возражений не поступило',
    });
    expect((await f.store.audit.list(0, 10))[0]).toMatchObject({ actorId: null, action: 'appeal.auto_confirm' });
  });
});

describe('a transition that is refused, writing nothing', () => {
  it('INVALID_TRANSITION from a status the action does not leave, naming the status', async () => {
    const f = await setup(inProgress());
    await expectRefused(f, f.service.transition(assignee, 'a-path', { action: 'take' }), {
      code: 'INVALID_TRANSITION',
      message: 'Из статуса «В работе» так перейти нельзя',
    });
    await expectRefused(f, f.service.transition(citizen, 'a-path', { action: 'confirm' }), {
      code: 'INVALID_TRANSITION',
      message: 'Из статуса «В работе» так перейти нельзя',
    });
  });

  it('FORBIDDEN for a role the transition does not list', async () => {
    const f = await setup(inProgress());
    const forbidden = { code: 'FORBIDDEN', message: 'Это действие недоступно вашей роли' };
    await expectRefused(f, f.service.transition(citizen, 'a-path', { action: 'request_info', comment: 'x' }), forbidden);
    await expectRefused(f, f.service.transition(expert, 'a-path', { action: 'propose_resolution', comment: 'x' }), forbidden);
  });

  it('FORBIDDEN for the assignee operator to reopen: only a supervisor reopens', async () => {
    const f = await setup(inProgress({ status: 'completed' }));
    await expectRefused(f, f.service.transition(assignee, 'a-path', { action: 'reopen', comment: 'Вернуть в работу' }), {
      code: 'FORBIDDEN',
      message: 'Это действие недоступно вашей роли',
    });
  });

  it('FORBIDDEN for an operator on an appeal assigned to another', async () => {
    const f = await setup(inProgress());
    await expectRefused(f, f.service.transition(colleague, 'a-path', { action: 'request_info', comment: 'Уточните' }), {
      code: 'FORBIDDEN',
      message: 'Обращение назначено другому сотруднику',
    });
  });

  it('VALIDATION_FAILED without the comment the transition requires, blank counts as none', async () => {
    const f = await setup(inProgress());
    await expectRefused(f, f.service.transition(assignee, 'a-path', { action: 'request_info' }), {
      code: 'VALIDATION_FAILED',
      message: 'Проверьте введённые данные',
      fields: { comment: 'добавьте комментарий' },
    });
    await expectRefused(f, f.service.transition(assignee, 'a-path', { action: 'request_info', comment: '   ' }), {
      code: 'VALIDATION_FAILED',
      message: 'Проверьте введённые данные',
      fields: { comment: 'добавьте комментарий' },
    });
    await expectRefused(f, f.service.transition(assignee, 'a-path', { action: 'reject', comment: '' }), {
      code: 'VALIDATION_FAILED',
      message: 'Проверьте введённые данные',
      fields: { comment: 'укажите причину и рекомендации' },
    });
  });

  it('CONFLICT for a version the appeal has moved past', async () => {
    const f = await setup(inProgress());
    await expectRefused(f, f.service.transition(assignee, 'a-path', { action: 'propose_resolution', comment: 'Готово', version: 4 }), {
      code: 'CONFLICT',
      message: 'Данные изменились, обновите страницу',
    });
  });

  it('NOT_FOUND for someone with no part in it, and for an unknown id', async () => {
    const f = await setup(inProgress());
    await expectRefused(f, f.service.transition(foreignOperator, 'a-path', { action: 'request_info', comment: 'x' }), {
      code: 'NOT_FOUND',
      message: 'Обращение не найдено',
    });
    await expectRefused(f, f.service.transition(assignee, 'a-missing', { action: 'request_info', comment: 'x' }), {
      code: 'NOT_FOUND',
      message: 'Обращение не найдено',
    });
  });
});

describe('races and failures on the transition path', () => {
  it('two changes decided on the same version: one is committed, the other is a CONFLICT', async () => {
    const f = await setup(inProgress());
    const results = await Promise.allSettled([
      f.service.transition(assignee, 'a-path', { action: 'propose_resolution', comment: 'Решение А' }),
      f.service.transition(supervisor, 'a-path', { action: 'reject', comment: 'Отказ Б' }),
    ]);
    expect(results.map((r) => r.status)).toStrictEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT', message: 'Данные изменились, обновите страницу' });
    expect(await f.store.appeals.history('a-path')).toHaveLength(1);
    expect((await f.store.appeals.get('a-path'))?.status).toBe('awaiting_confirmation');
  });

  it('a store failure is passed on, not retried (the change may have been committed), and no event is published', async () => {
    const f = await setup(inProgress());
    f.store.appeals.transition = () => Promise.reject(new Error('disk I/O error'));
    await expect(f.service.transition(assignee, 'a-path', { action: 'request_info', comment: 'Вопрос' })).rejects.toThrow('disk I/O error');
    expect(f.events).toStrictEqual([]);
  });
});
