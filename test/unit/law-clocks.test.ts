/**
 * The law's clocks (59-ФЗ) end to end in the domain, with the injected
 * clock: a real SQLite store, the shipped 2026 calendar, the appeal and clock
 * services, and the durable scheduler run by hand (`runDue`) after moving a
 * ManualClock, so weeks pass in milliseconds. Every date below is worked out
 * in the test's comments from the 2026 calendar (Постановление № 1466 and
 * ТК РФ ст. 112: 1–3 and 9–11 May are days off, 11 May a transfer).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppealService } from '../../server/domain/appeals/appeal.service.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { CalendarService } from '../../server/domain/clocks/calendar.service.js';
import { ClockJobs } from '../../server/domain/clocks/clock-jobs.js';
import { ClockService } from '../../server/domain/clocks/clock.service.js';
import type { DomainError } from '../../server/domain/errors.js';
import { LocalBus, type DomainEvent } from '../../server/domain/events.js';
import { Scheduler } from '../../server/domain/jobs/scheduler.js';
import type { Viewer } from '../../server/domain/viewer.js';
import { ManualClock } from '../../server/lib/clock.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { DAY, HOUR, makeCategory, makeDepartment, makeUser } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const MINUTE = 60_000;
/** An instant given in Moscow time (UTC+3). */
const msk = (local: string): number => Date.parse(`${local}+03:00`);
/** The end of a Moscow date: the instant a deadline on it passes. */
const endOf = (date: string): number => msk(`${date}T23:59:59.999`);

const DEP = 'dep-housing-0001';
const OTHER = 'dep-social-00001';
const citizen: Viewer = { id: 'u-citizen-0001', role: 'citizen', departmentId: null, sessionId: 's1' };
const operator: Viewer = { id: 'u-operator-001', role: 'operator', departmentId: DEP, sessionId: 's2' };
const supervisor: Viewer = { id: 'u-supervisor-1', role: 'supervisor', departmentId: DEP, sessionId: 's3' };
const otherOperator: Viewer = { id: 'u-operator-002', role: 'operator', departmentId: OTHER, sessionId: 's4' };
const expert: Viewer = { id: 'u-expert-00001', role: 'expert', departmentId: null, sessionId: 's5' };

const dir = tempDirs('law-clocks-');
let store: Store | null = null;
let scheduler: Scheduler | null = null;
afterEach(async () => {
  await scheduler?.stop();
  await store?.close();
  store = null;
  scheduler = null;
});

interface World {
  store: Store;
  clock: ManualClock;
  appeals: AppealService;
  clocks: ClockService;
  scheduler: Scheduler;
  events: DomainEvent[];
  categoryId: string;
  /** Runs every due job at the clock's now; resolves once their events are out. */
  run(): Promise<void>;
  /** Moves the clock to `at` and runs what is due. */
  at(instant: number): Promise<void>;
  /** The events of these types published since the last call. */
  take<T extends DomainEvent['type']>(...types: T[]): Extract<DomainEvent, { type: T }>[];
}

async function world(start: number): Promise<World> {
  const s = await openSqliteStore({ dataDir: await dir() });
  store = s;
  const clock = new ManualClock(start);
  const bus = new LocalBus();
  const events: DomainEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const audit = new AuditService(s, clock);
  await s.catalogue.createDepartment(makeDepartment({ id: DEP, code: 'housing_t', name: 'Департамент ЖКХ' }));
  await s.catalogue.createDepartment(makeDepartment({ id: OTHER, code: 'social_t', name: 'Департамент соцзащиты' }));
  const category = makeCategory({ departmentId: DEP, deadlineDays: 30, extraFields: [] });
  await s.catalogue.createCategory(category);
  for (const v of [citizen, operator, supervisor, otherOperator, expert]) {
    await s.users.create(makeUser({ id: v.id, role: v.role, departmentId: v.departmentId, fullName: `Сотрудник ${v.id}` }));
  }
  const calendar = new CalendarService({ store: s, clock, audit, bus });
  await calendar.seed();
  const appeals = new AppealService({ store: s, clock, audit, bus, secret: 'test-secret', calendar });
  const clocks = new ClockService({ store: s, clock, audit, bus, appeals, calendar });
  const failures: string[] = [];
  const logger = {
    error: (message: string, fields?: Record<string, unknown>) => failures.push(`${message} ${JSON.stringify(fields)}`),
    warn: (message: string, fields?: Record<string, unknown>) => failures.push(`${message} ${JSON.stringify(fields)}`),
  };
  const sched = new Scheduler({ jobs: s.jobs, clock, logger });
  scheduler = sched;
  const jobs = new ClockJobs({ store: s, clock, bus, scheduler: sched, appeals, calendar, logger });
  await jobs.start();
  let seen = 0;
  const w: World = {
    store: s,
    clock,
    appeals,
    clocks,
    scheduler: sched,
    events,
    categoryId: category.id,
    async run() {
      // Arming follows events asynchronously: let it settle before and after the run.
      await jobs.settled();
      await sched.runDue();
      await jobs.settled();
      // A job or an arming that failed is logged, not thrown: fail here instead.
      expect(failures).toEqual([]);
    },
    async at(instant) {
      // What the last change armed is armed at the time of that change, before time moves on.
      await jobs.settled();
      clock.advance(instant - clock.now());
      await w.run();
    },
    take(...types) {
      const out = events.slice(seen).filter((e) => (types as string[]).includes(e.type));
      seen = events.length;
      return out as never;
    },
  };
  return w;
}

async function file(w: World): Promise<string> {
  const draft = await w.appeals.createDraft(citizen, {
    categoryId: w.categoryId,
    type: 'complaint',
    subject: 'Нет горячей воды',
    description: 'Третью неделю нет горячей воды в доме.',
  });
  await w.appeals.submit(citizen, draft.id);
  await w.run();
  w.take('deadline.reminder');
  return draft.id;
}

const clocksOf = async (w: World, viewer: Viewer, id: string) => (await w.appeals.get(viewer, id)).clocks!;

describe('the answer term (30 days of registration)', () => {
  it('runs across the May holidays and the 11 May transfer: filed on Thursday 9 April, due Tuesday 12 May', async () => {
    // 9 April + 30 days = Saturday 9 May (a holiday); 10 May is a Sunday, 11 May a transferred day off.
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    const view = await w.appeals.get(citizen, id);
    expect(view.deadlineAt).toBe(endOf('2026-05-12'));
    expect(view.clocks?.registration).toMatchObject({ state: 'met', dueDate: '2026-04-13', doneAt: msk('2026-04-09T12:00:00') });
    // 33 calendar days; working: 10, 13–17, 20–24, 27–30 April (15), 4–8 and 12 May (6).
    expect(view.clocks?.answer).toMatchObject({ state: 'running', dueDate: '2026-05-12', dueAt: endOf('2026-05-12'), daysLeft: 33, workingDaysLeft: 21 });
  });

  it('reminds 5 and 1 working days before: on Monday 4 May and on Friday 8 May (the 11th is a day off), each once', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    await w.at(msk('2026-05-04T08:59:00'));
    expect(w.take('deadline.reminder')).toEqual([]);
    await w.at(msk('2026-05-04T09:00:00'));
    expect(w.take('deadline.reminder')).toEqual([
      expect.objectContaining({ clock: 'answer', dueAt: endOf('2026-05-12'), workingDaysLeft: 5, appeal: expect.objectContaining({ id }) }),
    ]);
    // On the day of the reminder the room says the same: 5 working days (5–8 and 12 May).
    expect((await clocksOf(w, operator, id)).answer.workingDaysLeft).toBe(5);
    await w.at(msk('2026-05-07T18:00:00'));
    expect(w.take('deadline.reminder')).toEqual([]);
    await w.at(msk('2026-05-08T09:00:00'));
    expect(w.take('deadline.reminder')).toEqual([expect.objectContaining({ clock: 'answer', workingDaysLeft: 1 })]);
    await w.at(msk('2026-05-12T12:00:00'));
    expect(w.take('deadline.reminder')).toEqual([]);
  });

  it('alerts when the deadline passes unanswered, and lists the appeal in the next morning’s digest', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    await w.at(endOf('2026-05-12'));
    expect(w.take('deadline.missed')).toEqual([]);
    await w.at(endOf('2026-05-12') + 1);
    expect(w.take('deadline.missed')).toEqual([
      expect.objectContaining({ clock: 'answer', dueAt: endOf('2026-05-12'), appeal: expect.objectContaining({ id, departmentId: DEP }) }),
    ]);
    expect((await clocksOf(w, citizen, id)).answer).toMatchObject({ state: 'missed', daysLeft: -1, workingDaysLeft: -1 });
    await w.at(msk('2026-05-13T09:00:00'));
    expect(w.take('overdue.digest')).toEqual([{ type: 'overdue.digest', departmentId: DEP, date: '2026-05-13', appealIds: [id] }]);
    // The next digest is the next morning's.
    await w.at(msk('2026-05-13T20:00:00'));
    expect(w.take('overdue.digest')).toEqual([]);
  });

  it('stops when the department answers: no reminder and no alert after a proposed resolution', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    await w.appeals.transition(operator, id, { action: 'take' });
    await w.appeals.transition(operator, id, { action: 'propose_resolution', comment: 'Подача воды восстановлена' });
    await w.run();
    const answer = (await clocksOf(w, citizen, id)).answer;
    expect(answer).toMatchObject({ state: 'met', doneAt: msk('2026-04-09T12:00:00'), daysLeft: null });
    await w.at(msk('2026-05-20T12:00:00'));
    expect(w.take('deadline.reminder', 'deadline.missed')).toEqual([]);
  });

  it('shows the time waiting for the citizen apart, without stopping the term', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    await w.appeals.transition(operator, id, { action: 'take' });
    await w.appeals.transition(operator, id, { action: 'request_info', comment: 'Приложите акт управляющей компании' });
    w.clock.advance(2 * DAY + 3 * HOUR);
    expect(await clocksOf(w, citizen, id)).toMatchObject({ waitingMs: 2 * DAY + 3 * HOUR, isWaiting: true });
    await w.appeals.transition(citizen, id, { action: 'provide_info', comment: 'Акт приложен' });
    w.clock.advance(DAY);
    const c = await clocksOf(w, operator, id);
    expect(c).toMatchObject({ waitingMs: 2 * DAY + 3 * HOUR, isWaiting: false });
    expect(c.answer.dueDate).toBe('2026-05-12');
  });
});

describe('an extension', () => {
  it('moves the term by the days given, from the unshifted end: +10 days makes it Tuesday 19 May, and the reminders follow', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    await w.at(msk('2026-04-20T10:00:00'));
    const view = await w.clocks.extend(supervisor, id, { days: 10, reason: 'Нужна проверка на месте с участием подрядчика' });
    // 9 April + 40 days = 19 May, a Tuesday.
    expect(view.deadlineAt).toBe(endOf('2026-05-19'));
    expect(view.clocks).toMatchObject({
      answer: { dueDate: '2026-05-19', state: 'running' },
      extensions: [{ days: 10, dueDate: '2026-05-19', reason: 'Нужна проверка на месте с участием подрядчика', byName: `Сотрудник ${supervisor.id}` }],
      extensionDaysLeft: 20,
    });
    // The citizen sees the extension, not who made it.
    expect((await clocksOf(w, citizen, id)).extensions).toEqual([expect.objectContaining({ days: 10, byName: null })]);
    const [extended] = w.take('appeal.extended');
    expect(extended).toMatchObject({ actorId: supervisor.id, previousDueAt: endOf('2026-05-12'), dueAt: endOf('2026-05-19'), days: 10 });
    // The reminders moved: none on 4 May; 5 working days before 19 May is 12 May (13, 14, 15, 18, 19 left).
    await w.at(msk('2026-05-08T12:00:00'));
    expect(w.take('deadline.reminder')).toEqual([]);
    await w.at(msk('2026-05-12T09:00:00'));
    expect(w.take('deadline.reminder')).toEqual([expect.objectContaining({ dueAt: endOf('2026-05-19'), workingDaysLeft: 5 })]);
    await w.at(endOf('2026-05-12') + 1);
    expect(w.take('deadline.missed')).toEqual([]);
  });

  it('is refused to an operator, beyond 30 days in all, and once the term is over', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    const refusal = async (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as DomainError,
      );
    expect(await refusal(w.clocks.extend(operator, id, { days: 5, reason: 'Причина продления' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(w.clocks.extend(otherOperator, id, { days: 5, reason: 'Причина продления' }))).toMatchObject({ code: 'NOT_FOUND' });
    await w.clocks.extend(supervisor, id, { days: 20, reason: 'Первое продление' });
    expect(await refusal(w.clocks.extend(supervisor, id, { days: 11, reason: 'Второе продление' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { days: 'можно продлить ещё не больше чем на 10 дн.' },
    });
    await w.clocks.extend(supervisor, id, { days: 10, reason: 'Второе продление' });
    // 9 April + 60 days = 8 June, a Monday.
    expect((await clocksOf(w, citizen, id)).answer.dueDate).toBe('2026-06-08');
    expect((await w.appeals.get(supervisor, id)).clocks?.canExtend).toBe(false);
    const other = await file(w);
    await w.at(endOf('2026-05-12') + MINUTE);
    expect(await refusal(w.clocks.extend(supervisor, other, { days: 5, reason: 'Поздно продлевать' }))).toMatchObject({ code: 'CONFLICT' });
  });
});

describe('a redirect', () => {
  it('hands the whole case to the competent department, whose registration clock starts again, and ends the sender’s access', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    await w.appeals.transition(operator, id, { action: 'take' });
    await w.appeals.invite(operator, id, expert.id);
    await w.at(msk('2026-04-10T11:00:00'));
    const done = await w.clocks.redirect(operator, id, { departmentId: OTHER, reason: 'Вопрос о субсидии — компетенция соцзащиты' });
    expect(done).toEqual({ appealId: id, number: expect.stringMatching(/^77-2026-/), toDepartment: 'Департамент соцзащиты', at: msk('2026-04-10T11:00:00') });
    const stored = await w.store.appeals.get(id);
    expect(stored).toMatchObject({ departmentId: OTHER, status: 'registered', assigneeId: null, expertIds: [] });
    // The sender's staff and its expert no longer see it; the receiving department does, history included.
    for (const v of [operator, supervisor, expert]) await expect(w.appeals.get(v, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const history = await w.appeals.history(otherOperator, id);
    expect(history.at(-1)).toMatchObject({
      action: 'redirect',
      from: 'in_progress',
      to: 'registered',
      actorId: operator.id,
      comment: 'Вопрос о субсидии — компетенция соцзащиты',
    });
    expect(w.take('appeal.redirected')).toEqual([expect.objectContaining({ fromDepartmentId: DEP, toDepartmentId: OTHER, actorId: operator.id })]);
    // Received on Friday 10 April: registered by Monday 13 April (10 + 3); the answer term waits for it.
    const c = await clocksOf(w, otherOperator, id);
    expect(c.registration).toMatchObject({ state: 'running', dueDate: '2026-04-13', startedAt: msk('2026-04-10T11:00:00') });
    expect(c.answer).toMatchObject({ state: 'pending', startedAt: null, dueDate: '2026-05-13' });
    expect(c.redirects).toEqual([
      {
        at: msk('2026-04-10T11:00:00'),
        fromDepartment: 'Департамент ЖКХ',
        toDepartment: 'Департамент соцзащиты',
        reason: 'Вопрос о субсидии — компетенция соцзащиты',
      },
    ]);
    // Taken on Monday 13 April: registered there, 30 days from it (13 May).
    await w.at(msk('2026-04-13T10:00:00'));
    await w.appeals.transition(otherOperator, id, { action: 'take' });
    const taken = await w.appeals.get(citizen, id);
    expect(taken.clocks?.registration).toMatchObject({ state: 'met', doneAt: msk('2026-04-13T10:00:00') });
    expect(taken.clocks?.answer).toMatchObject({ state: 'running', dueDate: '2026-05-13', startedAt: msk('2026-04-13T10:00:00') });
    expect(taken.deadlineAt).toBe(endOf('2026-05-13'));
  });

  it('alerts the receiving department when nobody registers the appeal in its 3 days', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    await w.clocks.redirect(supervisor, id, { departmentId: OTHER, reason: 'Не наша компетенция' });
    await w.at(endOf('2026-04-13') + 1);
    expect(w.take('deadline.missed')).toEqual([
      expect.objectContaining({ clock: 'registration', dueAt: endOf('2026-04-13'), appeal: expect.objectContaining({ departmentId: OTHER }) }),
    ]);
    await w.at(msk('2026-04-14T09:00:00'));
    expect(w.take('overdue.digest')).toEqual([expect.objectContaining({ departmentId: OTHER, appealIds: [id] })]);
  });

  it('is refused to an operator of another department (NOT_FOUND), to the same department, and after the answer', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    const refusal = async (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as DomainError,
      );
    expect(await refusal(w.clocks.redirect(otherOperator, id, { departmentId: OTHER, reason: 'Чужое обращение' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refusal(w.clocks.redirect(operator, id, { departmentId: DEP, reason: 'Сюда же' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { departmentId: 'обращение уже в этом ведомстве' },
    });
    expect(await refusal(w.clocks.redirect(operator, id, { departmentId: 'dep-unknown-0001', reason: 'Никуда' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { departmentId: 'нет такого ведомства' },
    });
    await w.appeals.transition(operator, id, { action: 'take' });
    await w.appeals.transition(operator, id, { action: 'propose_resolution', comment: 'Решено' });
    expect(await refusal(w.clocks.redirect(operator, id, { departmentId: OTHER, reason: 'Поздно' }))).toMatchObject({ code: 'CONFLICT' });
  });
});

describe('a proposed resolution', () => {
  it('reminds the citizen one day before its auto-confirmation, then confirms it after 5 days', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    await w.appeals.transition(operator, id, { action: 'take' });
    await w.at(msk('2026-04-14T15:00:00'));
    const proposed = await w.appeals.transition(operator, id, { action: 'propose_resolution', comment: 'Перерасчёт выполнен' });
    expect(proposed.autoConfirmAt).toBe(msk('2026-04-19T15:00:00'));
    await w.at(msk('2026-04-18T14:59:00'));
    expect(w.take('resolution.autoconfirm_soon')).toEqual([]);
    await w.at(msk('2026-04-18T15:00:00'));
    expect(w.take('resolution.autoconfirm_soon')).toEqual([
      expect.objectContaining({ autoConfirmAt: msk('2026-04-19T15:00:00'), appeal: expect.objectContaining({ id }) }),
    ]);
    expect((await w.store.appeals.get(id))?.status).toBe('awaiting_confirmation');
    await w.at(msk('2026-04-19T15:00:00'));
    expect(w.take('appeal.status_changed')).toEqual([
      expect.objectContaining({ entry: expect.objectContaining({ action: 'auto_confirm', actorRole: 'system', to: 'completed' }) }),
    ]);
    expect((await w.store.appeals.get(id))?.status).toBe('completed');
  });

  it('is not confirmed by a job left from an earlier proposal the citizen disputed', async () => {
    const w = await world(msk('2026-04-09T12:00:00'));
    const id = await file(w);
    await w.appeals.transition(operator, id, { action: 'take' });
    await w.appeals.transition(operator, id, { action: 'propose_resolution', comment: 'Решено' });
    await w.at(msk('2026-04-10T12:00:00'));
    await w.appeals.transition(citizen, id, { action: 'dispute', comment: 'Не решено' });
    await w.at(msk('2026-04-11T12:00:00'));
    await w.appeals.transition(operator, id, { action: 'propose_resolution', comment: 'Теперь решено' });
    await w.at(msk('2026-04-14T12:00:01'));
    expect((await w.store.appeals.get(id))?.status).toBe('awaiting_confirmation');
    expect(w.take('resolution.autoconfirm_soon')).toEqual([]);
    await w.at(msk('2026-04-16T12:00:00'));
    expect((await w.store.appeals.get(id))?.status).toBe('completed');
  });
});
