/**
 * The law's clocks of one appeal (shared/law-clocks.ts gives the rules):
 * where each term ends, where each clock stands now, and how a status change
 * moves them. Pure functions over the appeal's clock record and the
 * working-day calendar; the appeal's `deadlineAt` is the answer clock's due
 * instant, written with every change that moves it.
 */
import { addDays, dayNumberOf, endOfMskDay, mskDateOf } from '../../../shared/calendar-dates.js';
import { LAW_CLOCKS, type ClockKind, type ClockState } from '../../../shared/law-clocks.js';
import type { Clock, Clocks } from '../../../shared/schemas/clocks.schema.js';
import { isOpen, type Status, type Transition } from '../../../shared/status-machine.js';
import type { AppealClocksRecord, AppealPatch, AppealRecord } from '../../store/store.js';
import type { WorkingCalendar } from './working-calendar.js';

const DAY = 24 * 60 * 60 * 1000;

/** The last day of each term (Moscow dates). */
export interface Terms {
  registration: string;
  /** From the registration; while it has not happened (a redirect), from the last day it may happen on. */
  answer: string;
  redirect: string;
}

/** The clocks of a fresh receipt: at submission registered at once, after a redirect waiting for the receiving department. */
export function freshClocks(at: number, answerDays: number, registered: boolean, redirects: AppealClocksRecord['redirects'] = []): AppealClocksRecord {
  return { receivedAt: at, registeredAt: registered ? at : null, answerDays, answeredAt: null, extensions: [], redirects, waitingMs: 0, waitingSince: null };
}

/**
 * The appeal's clock record; one submitted before clocks were kept gets one
 * from what it has (registered at submission, the term its deadline shows).
 * A support conversation (docs/support.md) is no appeal under 59-ФЗ: it has
 * none, so no term, reminder, extension or redirect ever applies to it.
 */
export function clocksOf(appeal: Pick<AppealRecord, 'clocks' | 'submittedAt' | 'deadlineAt'> & { kind?: AppealRecord['kind'] }): AppealClocksRecord | null {
  if (appeal.kind === 'support') return null;
  if (appeal.clocks) return appeal.clocks;
  if (appeal.submittedAt === null) return null;
  const days = appeal.deadlineAt === null ? LAW_CLOCKS.answerDays : Math.max(1, Math.round((appeal.deadlineAt - appeal.submittedAt) / DAY));
  return freshClocks(appeal.submittedAt, days, true);
}

export function extendedDaysOf(c: AppealClocksRecord): number {
  return c.extensions.reduce((sum, e) => sum + e.days, 0);
}

/** A term of `days` calendar days counted from the day after `from`, ending on a working day. */
function termEnd(calendar: WorkingCalendar, from: string, days: number): string {
  return calendar.onOrAfter(addDays(from, days));
}

export function termsOf(c: AppealClocksRecord, calendar: WorkingCalendar): Terms {
  const registration = termEnd(calendar, mskDateOf(c.receivedAt), LAW_CLOCKS.registrationDays);
  const base = c.registeredAt === null ? registration : mskDateOf(c.registeredAt);
  return {
    registration,
    answer: termEnd(calendar, base, c.answerDays + extendedDaysOf(c)),
    redirect: termEnd(calendar, base, LAW_CLOCKS.redirectDays),
  };
}

/** The appeal's `deadlineAt`: the end of the answer term's last day. */
export function deadlineOf(c: AppealClocksRecord, calendar: WorkingCalendar): number {
  return endOfMskDay(termsOf(c, calendar).answer);
}

function stateOf(dueAt: number, doneAt: number | null, startedAt: number | null, now: number): ClockState {
  if (doneAt !== null) return doneAt <= dueAt ? 'met' : 'late';
  if (startedAt === null) return 'pending';
  return now > dueAt ? 'missed' : 'running';
}

function clockOf(kind: ClockKind, dueDate: string, startedAt: number | null, doneAt: number | null, now: number, calendar: WorkingCalendar): Clock {
  const dueAt = endOfMskDay(dueDate);
  const today = mskDateOf(now);
  const isDone = doneAt !== null;
  return {
    kind,
    state: stateOf(dueAt, doneAt, startedAt, now),
    startedAt,
    dueDate,
    dueAt,
    doneAt,
    daysLeft: isDone ? null : dayNumberOf(dueDate) - dayNumberOf(today),
    workingDaysLeft: isDone ? null : calendar.workingDaysBetween(today, dueDate),
  };
}

/** What the viewer may see and do with the clocks. */
export interface ClocksViewer {
  isStaff: boolean;
  canExtend: boolean;
  canRedirect: boolean;
}

/** The clocks as the room shows them to this viewer. */
export function clocksView(appeal: Pick<AppealRecord, 'status'>, c: AppealClocksRecord, calendar: WorkingCalendar, now: number, viewer: ClocksViewer): Clocks {
  const terms = termsOf(c, calendar);
  const base = c.registeredAt === null ? terms.registration : mskDateOf(c.registeredAt);
  let days = 0;
  const extensions = c.extensions.map((e) => {
    days += e.days;
    return { at: e.at, days: e.days, reason: e.reason, byName: viewer.isStaff ? e.byName : null, dueDate: termEnd(calendar, base, c.answerDays + days) };
  });
  const isAnswerOpen = c.answeredAt === null && isOpen(appeal.status);
  return {
    registration: clockOf('registration', terms.registration, c.receivedAt, c.registeredAt, now, calendar),
    answer: clockOf('answer', terms.answer, c.registeredAt, c.answeredAt, now, calendar),
    redirect: viewer.isStaff && isAnswerOpen ? clockOf('redirect', terms.redirect, c.registeredAt, null, now, calendar) : null,
    extensions,
    extensionDaysLeft: Math.max(0, LAW_CLOCKS.maxExtensionDays - extendedDaysOf(c)),
    redirects: c.redirects.map((r) => ({ at: r.at, fromDepartment: r.fromDepartment, toDepartment: r.toDepartment, reason: r.reason })),
    waitingMs: c.waitingMs + (c.waitingSince === null ? 0 : Math.max(0, now - c.waitingSince)),
    isWaiting: c.waitingSince !== null,
    canExtend: viewer.canExtend,
    canRedirect: viewer.canRedirect,
  };
}

/** Statuses in which the department has given its answer (the answer clock stops). */
const ANSWERED: ReadonlySet<Status> = new Set(['awaiting_confirmation', 'completed', 'rejected']);

/**
 * How a status change moves the clocks, as a patch to write with it (empty
 * when it moves none): a redirected appeal taken by the receiving department
 * is registered there (its answer term starts); a request for information
 * starts a wait for the citizen and leaving that status ends it; a proposed
 * resolution or a rejection answers; going back to work (a dispute, a
 * reopening) takes the answer back. Submission writes fresh clocks itself.
 */
export function clocksOnTransition(
  appeal: Pick<AppealRecord, 'clocks' | 'submittedAt' | 'deadlineAt'> & { kind?: AppealRecord['kind'] },
  t: Pick<Transition, 'from' | 'to' | 'action'>,
  now: number,
  calendar: WorkingCalendar,
): AppealPatch {
  const current = clocksOf(appeal);
  if (!current || t.action === 'submit' || t.action === 'resubmit') return {};
  const c: AppealClocksRecord = { ...current };
  if (t.action === 'take' && c.registeredAt === null) c.registeredAt = now;
  if (t.to === 'info_requested' && c.waitingSince === null) c.waitingSince = now;
  if (t.from === 'info_requested' && t.to !== 'info_requested' && c.waitingSince !== null) {
    c.waitingMs += Math.max(0, now - c.waitingSince);
    c.waitingSince = null;
  }
  if (ANSWERED.has(t.to) && !ANSWERED.has(t.from) && c.answeredAt === null) c.answeredAt = now;
  if (t.to === 'in_progress' && ANSWERED.has(t.from)) c.answeredAt = null;
  if (JSON.stringify(c) === JSON.stringify(current) && appeal.clocks) return {};
  const patch: AppealPatch = { clocks: c };
  if (c.registeredAt !== current.registeredAt) patch.deadlineAt = deadlineOf(c, calendar);
  return patch;
}
