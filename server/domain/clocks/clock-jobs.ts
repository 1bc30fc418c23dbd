/**
 * The timed work of the law's clocks, as jobs of the durable scheduler
 * (server/domain/jobs/): rows in the Store, so a restart loses none, and of
 * several instances one runs each. Each job publishes a domain event; the
 * notification service decides who hears of it and how.
 *
 * - Reminders 5 and 1 working days before a deadline, at 09:00 Moscow time
 *   (`deadline.reminder`: the answer term; a redirected appeal's registration);
 * - the alert when a deadline passed with the clock not done (`deadline.missed`);
 * - every working day at 09:00, each department's overdue appeals (`overdue.digest`);
 * - a proposed resolution: the citizen reminded one day before its
 *   auto-confirmation (`resolution.autoconfirm_soon`), and the confirmation itself.
 *
 * The jobs of an appeal are armed again from its stored state after every
 * change that moves a clock (`arm`, keyed per appeal, clock and reminder, so
 * arming twice changes nothing). A job that finds its clock done or moved
 * when it runs does nothing: the job armed for the new time does the work.
 */
import { z } from 'zod';
import { endOfMskDay, mskDateOf, mskMorningOf } from '../../../shared/calendar-dates.js';
import { LAW_CLOCKS } from '../../../shared/law-clocks.js';
import { isOpen } from '../../../shared/status-machine.js';
import type { Clock } from '../../lib/clock.js';
import type { AppealClocksRecord, AppealRecord, Store } from '../../store/store.js';
import { accessOf } from '../appeals/appeal.policy.js';
import type { AppealService } from '../appeals/appeal.service.js';
import { autoConfirmAtOf } from '../appeals/appeal.view.js';
import type { DeadlineClock, DomainEvent, EventBus } from '../events.js';
import type { Job, Scheduler } from '../jobs/scheduler.js';
import type { CalendarSource } from './calendar.service.js';
import { clocksOf, termsOf } from './law-clocks.js';

const DAY = 24 * 60 * 60 * 1000;

/** The job kinds this module handles. */
export const CLOCK_JOB_KINDS = {
  reminder: 'clock.reminder',
  missed: 'clock.missed',
  digest: 'clock.overdue_digest',
  confirmSoon: 'resolution.autoconfirm_soon',
  confirm: 'resolution.autoconfirm',
} as const;

/** The one digest job. */
export const DIGEST_JOB_KEY = 'clock:overdue-digest';

const clockPayload = z.object({ appealId: z.string(), clock: z.enum(['registration', 'answer']), dueAt: z.number() });
const reminderPayload = clockPayload.extend({ workingDaysLeft: z.number().int().min(0).max(60) });
const resolutionPayload = z.object({ appealId: z.string(), autoConfirmAt: z.number() });

/** The clocks that remind and alert: the answer, and a redirected appeal's registration in the receiving department. */
const TIMED_CLOCKS = ['registration', 'answer'] as const;

export interface ClockJobsDeps {
  store: Store;
  clock: Clock;
  bus: EventBus;
  scheduler: Scheduler;
  appeals: AppealService;
  calendar: CalendarSource;
  logger?: { error(message: string, fields?: Record<string, unknown>): void };
}

export class ClockJobs {
  /** One arming at a time per appeal, in the order asked, so a later state is never overwritten by an earlier read. */
  private readonly arming = new Map<string, Promise<void>>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly d: ClockJobsDeps) {
    d.scheduler.handle(CLOCK_JOB_KINDS.reminder, (job) => this.remind(job));
    d.scheduler.handle(CLOCK_JOB_KINDS.missed, (job) => this.alertMissed(job));
    d.scheduler.handle(CLOCK_JOB_KINDS.digest, (job) => this.digest(job));
    d.scheduler.handle(CLOCK_JOB_KINDS.confirmSoon, (job) => this.remindConfirmation(job));
    d.scheduler.handle(CLOCK_JOB_KINDS.confirm, (job) => this.confirm(job));
  }

  /**
   * Arms the jobs of every appeal whose clocks an event moves, and the daily
   * digest. The auto-confirmations due while no job was armed for them (an
   * earlier release, a crash between a change and its arming) are made at
   * once, and by every digest after.
   */
  async start(): Promise<void> {
    this.unsubscribe = this.d.bus.subscribe((event) => {
      const id = appealOf(event);
      // The change's own time, taken as it is heard: the arming that follows may run later.
      if (id) void this.armSoon(id, this.d.clock.now());
    });
    await this.d.scheduler.schedule({ kind: CLOCK_JOB_KINDS.digest, key: DIGEST_JOB_KEY, runAt: this.nextDigestAt(), payload: {} });
    await this.d.appeals.autoConfirmDue();
  }

  /** Stops arming; the scheduler's own stop waits for the runs under way. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.settled();
  }

  /** Resolves once every arming asked for so far is done. */
  async settled(): Promise<void> {
    while (this.arming.size > 0) await Promise.all([...this.arming.values()]);
  }

  /** Arms the appeal's jobs after whatever arming of it is under way; `at`: when the change that asks for it was made. */
  armSoon(appealId: string, at = this.d.clock.now()): Promise<void> {
    const previous = this.arming.get(appealId) ?? Promise.resolve();
    const next = previous
      .then(() => this.arm(appealId, at))
      .catch((error: unknown) => {
        this.d.logger?.error('clock jobs not armed', { appealId, error: String(error) });
      })
      .finally(() => {
        if (this.arming.get(appealId) === next) this.arming.delete(appealId);
      });
    this.arming.set(appealId, next);
    return next;
  }

  /** Schedules (or cancels) every job of one appeal from its stored state, as of the change made at `now`. */
  async arm(appealId: string, now = this.d.clock.now()): Promise<void> {
    const appeal = await this.d.store.appeals.get(appealId);
    const c = appeal ? clocksOf(appeal) : null;
    const terms = c ? termsOf(c, this.d.calendar.current()) : null;
    for (const clock of TIMED_CLOCKS) {
      const running = appeal !== null && c !== null && isOpen(appeal.status) && isRunning(clock, c);
      const dueDate = terms ? terms[clock] : null;
      const dueAt = dueDate ? endOfMskDay(dueDate) : 0;
      for (const n of LAW_CLOCKS.reminderWorkingDays) {
        const runAt = dueDate ? mskMorningOf(this.d.calendar.current().addWorkingDays(dueDate, -n)) : 0;
        const payload = { appealId, clock, dueAt, workingDaysLeft: n };
        await this.put(running, `clock:${appealId}:${clock}:remind-${n}`, CLOCK_JOB_KINDS.reminder, runAt, payload, now);
      }
      await this.put(running, `clock:${appealId}:${clock}:missed`, CLOCK_JOB_KINDS.missed, dueAt + 1, { appealId, clock, dueAt }, now);
    }
    const confirmAt = appeal ? autoConfirmAtOf(appeal) : null;
    const resolution = { appealId, autoConfirmAt: confirmAt ?? 0 };
    await this.put(confirmAt !== null, `resolution:${appealId}:soon`, CLOCK_JOB_KINDS.confirmSoon, (confirmAt ?? 0) - DAY, resolution, now);
    await this.put(confirmAt !== null, `resolution:${appealId}:confirm`, CLOCK_JOB_KINDS.confirm, confirmAt ?? 0, resolution, now);
  }

  /**
   * Schedules a wanted job still ahead of the change (`now`), and cancels
   * one no longer wanted. A wanted job whose time had already come is left
   * as it is: pending, it runs; done, it is not run again (a reminder sent
   * once, whatever later changes arm the appeal again).
   */
  private async put(isWanted: boolean, key: string, kind: string, runAt: number, payload: unknown, now: number): Promise<void> {
    if (!isWanted) await this.d.scheduler.cancel(key);
    else if (runAt > now) await this.d.scheduler.schedule({ kind, key, runAt, payload });
  }

  /** The appeal and its clock's due instant now, or null when the clock is done, gone or moved away from `dueAt`. */
  private async current(appealId: string, clock: DeadlineClock, dueAt: number): Promise<AppealRecord | null> {
    const appeal = await this.d.store.appeals.get(appealId);
    const c = appeal ? clocksOf(appeal) : null;
    if (!appeal || !c || !isOpen(appeal.status)) return null;
    if (clock === 'redirect' || !isRunning(clock, c)) return null;
    const terms = termsOf(c, this.d.calendar.current());
    return endOfMskDay(clock === 'answer' ? terms.answer : terms.registration) === dueAt ? appeal : null;
  }

  private async remind(job: Job): Promise<void> {
    const p = reminderPayload.parse(job.payload);
    const appeal = await this.current(p.appealId, p.clock, p.dueAt);
    if (appeal) this.d.bus.publish({ type: 'deadline.reminder', appeal: accessOf(appeal), clock: p.clock, dueAt: p.dueAt, workingDaysLeft: p.workingDaysLeft });
  }

  private async alertMissed(job: Job): Promise<void> {
    const p = clockPayload.parse(job.payload);
    const appeal = await this.current(p.appealId, p.clock, p.dueAt);
    if (appeal && this.d.clock.now() > p.dueAt) this.d.bus.publish({ type: 'deadline.missed', appeal: accessOf(appeal), clock: p.clock, dueAt: p.dueAt });
  }

  private async remindConfirmation(job: Job): Promise<void> {
    const p = resolutionPayload.parse(job.payload);
    const appeal = await this.d.store.appeals.get(p.appealId);
    if (appeal && autoConfirmAtOf(appeal) === p.autoConfirmAt) {
      this.d.bus.publish({ type: 'resolution.autoconfirm_soon', appeal: accessOf(appeal), autoConfirmAt: p.autoConfirmAt });
    }
  }

  private async confirm(job: Job): Promise<void> {
    await this.d.appeals.autoConfirmOne(resolutionPayload.parse(job.payload).appealId);
  }

  /**
   * On a working day: each department's overdue appeals — past the answer
   * term, or a redirected appeal past its registration term — to its
   * supervisors; then the auto-confirmations any lost job left. Runs again
   * the next morning. A run made up for an earlier day (the server was down
   * that morning) sends nothing: the day's own digest follows at 09:00.
   */
  private async digest(job: Job): Promise<{ retryAt: number }> {
    const now = this.d.clock.now();
    const today = mskDateOf(now);
    if (mskDateOf(job.runAt) === today && this.d.calendar.current().isWorkingDay(today)) {
      for (const dep of await this.d.store.catalogue.listDepartments()) {
        const ids = await this.overdueIn(dep.id, now);
        if (ids.length > 0) this.d.bus.publish({ type: 'overdue.digest', departmentId: dep.id, date: today, appealIds: ids.slice(0, 10_000) });
      }
    }
    await this.d.appeals.autoConfirmDue();
    return { retryAt: this.nextDigestAt() };
  }

  private async overdueIn(departmentId: string, now: number): Promise<string[]> {
    const calendar = this.d.calendar.current();
    const late = await this.d.store.appeals.list({ departmentId, overdueAt: now, sort: 'deadline', limit: 10_000, offset: 0 });
    const waiting = await this.d.store.appeals.list({ departmentId, status: 'registered', sort: 'deadline', limit: 10_000, offset: 0 });
    const unregistered = waiting.items.filter((a) => {
      const c = clocksOf(a);
      return c !== null && c.registeredAt === null && endOfMskDay(termsOf(c, calendar).registration) < now;
    });
    // The answer given (awaiting confirmation) is not overdue whatever the date.
    const unanswered = late.items.filter((a) => clocksOf(a)?.answeredAt === null);
    return [...new Set([...unanswered, ...unregistered].map((a) => a.id))];
  }

  /** 09:00 Moscow time on the next day (a non-working day's run sends nothing and moves on). */
  private nextDigestAt(): number {
    const now = this.d.clock.now();
    const today = mskMorningOf(mskDateOf(now));
    return today > now ? today : today + DAY;
  }
}

/** Whether a timed clock runs: the answer from registration until answered; the registration until done. */
function isRunning(clock: (typeof TIMED_CLOCKS)[number], c: AppealClocksRecord): boolean {
  return clock === 'answer' ? c.registeredAt !== null && c.answeredAt === null : c.registeredAt === null;
}

/** The appeal whose clocks an event may have moved (a status change, a redirect among them, or an extension). */
function appealOf(event: DomainEvent): string | null {
  return event.type === 'appeal.status_changed' || event.type === 'appeal.extended' ? event.appeal.id : null;
}
