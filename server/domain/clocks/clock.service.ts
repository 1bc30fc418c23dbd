/**
 * The two actions that move the law's clocks, and the clocks following the
 * calendar:
 * - an extension of the answer term by a supervisor, with a reason (59-ФЗ
 *   ст. 12 ч. 2; `appeal.extended` tells the citizen at once);
 * - a redirect of an appeal outside the department's competence to the
 *   competent department (ст. 8 ч. 3): the receiving department gets the
 *   whole case — room, attachments, chat, history, all kept on the appeal —
 *   in its queue, the sending department's staff and invited experts lose
 *   access, and the registration clock starts again there;
 * - after an admin corrects the calendar, every open appeal's deadline.
 * Each change is a compare-and-set on the appeal's version with its journal
 * entry, published on the bus after it is durable.
 */
import type { CalendarYear, CalendarYearInput } from '../../../shared/schemas/calendar.schema.js';
import type { ExtendInput, RedirectInput } from '../../../shared/schemas/clocks.schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AppealRecord, Store } from '../../store/store.js';
import { accessOf } from '../appeals/appeal.policy.js';
import { statusEntryOf, type AppealService } from '../appeals/appeal.service.js';
import type { AppealView } from '../appeals/appeal.view.js';
import type { AuditService } from '../audit/audit.service.js';
import { conflict, invalid } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Viewer } from '../viewer.js';
import type { CalendarService } from './calendar.service.js';
import { extensionRefusal, redirectRefusal } from './clock.policy.js';
import { clocksOf, deadlineOf, extendedDaysOf, freshClocks, termsOf } from './law-clocks.js';

export interface ClockDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  bus: EventBus;
  appeals: AppealService;
  calendar: CalendarService;
  /** Told of the appeals whose deadline a calendar edit moved (their reminders are armed again). */
  onDeadlinesMoved?: (appealIds: string[]) => void;
}

/** What a redirect answers: the appeal is the receiving department's now, and the sender no longer sees it. */
export interface Redirected {
  appealId: string;
  number: string | null;
  toDepartment: string;
  at: number;
}

export class ClockService {
  constructor(private readonly d: ClockDeps) {}

  /** A supervisor of the department extends the answer term by `days` (30 in all at most), before it ends. */
  async extend(viewer: Viewer, id: string, input: ExtendInput): Promise<AppealView> {
    const appeal = await this.d.appeals.visible(viewer, id);
    const c = clocksOf(appeal);
    const now = this.d.clock.now();
    const calendar = this.d.calendar.current();
    const refusal = extensionRefusal(viewer, appeal, c, calendar, now, input.days);
    if (refusal || !c) throw refusal ?? conflict();
    if (input.version !== undefined && input.version !== appeal.version) throw conflict();
    const byName = (await this.d.store.users.get(viewer.id))?.fullName ?? '';
    const next = { ...c, extensions: [...c.extensions, { at: now, byId: viewer.id, byName, days: input.days, reason: input.reason }] };
    const previousDueAt = deadlineOf(c, calendar);
    const dueAt = deadlineOf(next, calendar);
    const updated = await this.d.store.appeals.update(
      id,
      appeal.version,
      { clocks: next, deadlineAt: dueAt, updatedAt: now },
      this.d.audit.draft({
        actorId: viewer.id,
        action: 'appeal.extended',
        subjectType: 'appeal',
        subjectId: id,
        details: { days: input.days, totalDays: extendedDaysOf(next), dueDate: termsOf(next, calendar).answer },
      }),
    );
    if (!updated) throw conflict();
    this.d.bus.publish({
      type: 'appeal.extended',
      appeal: accessOf(updated),
      actorId: viewer.id,
      previousDueAt,
      dueAt,
      days: input.days,
      reason: input.reason,
    });
    return this.d.appeals.get(viewer, id);
  }

  /**
   * An officer of the department sends the appeal to the competent one
   * before answering it. It arrives there registered in the queue
   * (`Принято`), unassigned and without the experts this department invited;
   * its registration clock starts again there, and its answer term starts
   * when the receiving department takes it.
   */
  async redirect(viewer: Viewer, id: string, input: RedirectInput): Promise<Redirected> {
    const appeal = await this.d.appeals.visible(viewer, id);
    const c = clocksOf(appeal);
    const refusal = redirectRefusal(viewer, appeal, c);
    if (refusal || !c || !appeal.departmentId) throw refusal ?? conflict();
    if (input.version !== undefined && input.version !== appeal.version) throw conflict();
    const to = await this.d.store.catalogue.getDepartment(input.departmentId);
    if (!to) throw invalid({ departmentId: 'нет такого ведомства' });
    if (to.id === appeal.departmentId) throw invalid({ departmentId: 'обращение уже в этом ведомстве' });
    const from = await this.d.store.catalogue.getDepartment(appeal.departmentId);
    const now = this.d.clock.now();
    const clocks = freshClocks(now, c.answerDays, false, [
      ...c.redirects,
      {
        at: now,
        byId: viewer.id,
        fromDepartmentId: appeal.departmentId,
        fromDepartment: from?.name ?? '',
        toDepartmentId: to.id,
        toDepartment: to.name,
        reason: input.reason,
      },
    ]);
    const result = await this.d.store.appeals.transition(
      id,
      appeal.version,
      {
        departmentId: to.id,
        assigneeId: null,
        expertIds: [],
        status: 'registered',
        statusChangedAt: now,
        updatedAt: now,
        clocks,
        deadlineAt: deadlineOf(clocks, this.d.calendar.current()),
      },
      { at: now, actorId: viewer.id, actorRole: viewer.role, from: appeal.status, to: 'registered', action: 'redirect', comment: input.reason },
      this.d.audit.draft({
        actorId: viewer.id,
        action: 'appeal.redirected',
        subjectType: 'appeal',
        subjectId: id,
        details: { fromDepartmentId: appeal.departmentId, toDepartmentId: to.id, previousAssigneeId: appeal.assigneeId, removedExpertIds: appeal.expertIds },
      }),
    );
    if (!result) throw conflict();
    const access = accessOf(result.appeal);
    this.d.bus.publish({ type: 'appeal.status_changed', appeal: access, entry: statusEntryOf(result.entry) });
    this.d.bus.publish({
      type: 'appeal.redirected',
      appeal: access,
      actorId: viewer.id,
      fromDepartmentId: appeal.departmentId,
      toDepartmentId: to.id,
      reason: input.reason,
    });
    const gone = [...new Set([...(appeal.assigneeId ? [appeal.assigneeId] : []), ...appeal.expertIds])];
    if (gone.length > 0) this.d.bus.publish({ type: 'appeal.access_changed', appealId: id, userIds: gone });
    return { appealId: id, number: appeal.number, toDepartment: to.name, at: now };
  }

  /** Admin: saves a year of the working-day calendar; every open appeal's deadline follows it. */
  async saveCalendar(viewer: Viewer, input: CalendarYearInput): Promise<{ calendar: CalendarYear; years: number[] }> {
    const saved = await this.d.calendar.save(viewer, input);
    const moved = await this.recalculate();
    if (moved.length > 0) this.d.onDeadlinesMoved?.(moved.map((a) => a.id));
    return saved;
  }

  /**
   * Writes the deadline the calendar gives now into every open appeal whose
   * stored one differs (after an admin saved a year). Returns those appeals
   * as written, for their reminders to be armed again.
   */
  async recalculate(): Promise<AppealRecord[]> {
    const calendar = this.d.calendar.current();
    const moved: AppealRecord[] = [];
    const limit = 500;
    for (let offset = 0; ; offset += limit) {
      const page = await this.d.store.appeals.list({ openOnly: true, sort: 'created', limit, offset });
      for (const appeal of page.items) {
        const c = clocksOf(appeal);
        if (!c) continue;
        const deadlineAt = deadlineOf(c, calendar);
        if (deadlineAt === appeal.deadlineAt) continue;
        const updated = await this.d.store.appeals.update(
          appeal.id,
          appeal.version,
          { deadlineAt, updatedAt: this.d.clock.now() },
          this.d.audit.draft({
            actorId: null,
            action: 'appeal.deadline_recalculated',
            subjectType: 'appeal',
            subjectId: appeal.id,
            details: { dueDate: termsOf(c, calendar).answer },
          }),
        );
        // One changed meanwhile was written with the calendar as it is now.
        if (updated) moved.push(updated);
      }
      if (offset + limit >= page.total) return moved;
    }
  }
}
