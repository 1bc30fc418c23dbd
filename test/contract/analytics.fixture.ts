/**
 * The analytics fixture: 500 appeals whose times, outcomes and ratings follow
 * from their index by fixed rules (`specOf`), and the expected figures worked
 * out from those rules alone (`expected*`), never through the code under
 * test. Used by the Store contract (analytics.contract.ts) on each adapter.
 */
import type { AppealType } from '../../shared/schemas/appeal.schema.js';
import type { Status } from '../../shared/status-machine.js';
import type { AppealRecord, DecisionRecord, FeedbackRecord, Store } from '../../server/store/store.js';
import { DAY, HOUR, makeHistoryEntry, makeRegisteredAppeal } from '../helpers/factories.js';

export const N = 500;
/** 2026-01-05 00:00 Moscow, a Monday. */
export const START = Date.parse('2026-01-04T21:00:00Z');
/** "Now" for the backlog: after every submission. */
export const NOW = START + 80 * DAY;
export const DEPARTMENTS = ['an-dep-1', 'an-dep-2', 'an-dep-3'] as const;
export const CATEGORIES = ['an-cat-1', 'an-cat-2', 'an-cat-3', 'an-cat-4'] as const;
export const REGIONS = ['77', '50', '78'] as const;
const TYPES: readonly AppealType[] = ['info_request', 'application', 'complaint', 'suggestion'];

export interface Spec {
  i: number;
  id: string;
  departmentId: string;
  categoryId: string;
  type: AppealType;
  region: string;
  submittedAt: number;
  status: Status;
  /** ms after submission of the first staff status change, or null (none). */
  firstResponseMs: number | null;
  /** ms after submission of the decision, or null. */
  decisionMs: number | null;
  deadlineAt: number;
  extensions: number;
  redirects: number;
  repeat: boolean;
  stars: number | null;
  reExamination: boolean;
  escalations: number;
}

export function specOf(i: number): Spec {
  const submittedAt = START + i * 3 * HOUR + (i % 7) * 60_000;
  const outcome = i % 10;
  const status: Status = outcome <= 4 ? 'completed' : outcome <= 6 ? 'rejected' : outcome <= 8 ? 'in_progress' : 'registered';
  const decided = status === 'completed' || status === 'rejected';
  const stars = status === 'completed' && i % 3 !== 0 ? (i % 5) + 1 : null;
  const open = !decided;
  const response = ((i * 7) % 50) * HOUR + (i % 13) * 60_000 + 1;
  return {
    i,
    id: `an-appeal-${String(i).padStart(4, '0')}`,
    departmentId: DEPARTMENTS[i % 3]!,
    categoryId: CATEGORIES[i % 4]!,
    type: TYPES[Math.floor(i / 3) % 4]!,
    region: REGIONS[(i >> 1) % 3]!,
    submittedAt,
    status,
    firstResponseMs: status === 'registered' ? null : response,
    // The decision is a staff status change too, so it comes no earlier than the first response.
    decisionMs: decided ? response + ((i * 11) % 40) * DAY + (i % 17) * HOUR : null,
    // Open appeals: deadlines spread from 12 days past to 18 days ahead of NOW.
    deadlineAt: open ? NOW + ((i % 31) - 12) * DAY + HOUR : submittedAt + 30 * DAY,
    extensions: i % 13 === 0 ? 1 + (i % 2) : 0,
    redirects: i % 17 === 0 ? 1 : 0,
    repeat: i % 11 === 0,
    stars,
    reExamination: stars !== null && stars <= 2 && i % 4 === 0,
    escalations: i % 19 === 0 ? 1 : 0,
  };
}

export const SPECS: readonly Spec[] = Array.from({ length: N }, (_, i) => specOf(i));

function decisionOf(s: Spec): DecisionRecord[] {
  if (s.decisionMs === null) return [];
  const issued = s.submittedAt + s.decisionMs;
  const base = {
    text: 'Решение по обращению',
    attachmentIds: [],
    signer: { id: 'u-op', name: 'Семёнова Ирина', role: 'operator' as const, departmentName: 'Отдел' },
    appealNumber: s.id,
    reviewId: null,
  };
  // A later decision (a re-examination's) never moves the first one's time; a proposal not issued counts for nothing.
  return [
    { ...base, id: `${s.id}-d1`, seq: 1, kind: s.status === 'rejected' ? 'rejection' : 'completion', proposedAt: issued - HOUR, issuedAt: issued },
    ...(s.i % 5 === 0
      ? [{ ...base, id: `${s.id}-d2`, seq: 2, kind: 'completion' as const, proposedAt: issued + DAY, issuedAt: s.i % 2 === 0 ? issued + 2 * DAY : null }]
      : []),
  ];
}

function feedbackOf(s: Spec): FeedbackRecord | null {
  if (s.stars === null) return null;
  const at = s.submittedAt + (s.decisionMs ?? 0) + DAY;
  return {
    id: `${s.id}-f`,
    decisionId: `${s.id}-d1`,
    stars: s.stars,
    remarks: '',
    category: 'service',
    attachmentId: null,
    isComplaint: false,
    createdAt: at,
    updatedAt: at,
    review: s.reExamination
      ? {
          id: `${s.id}-r`,
          state: 're_examination',
          reason: 'low_rating',
          openedAt: at,
          dueAt: at + 30 * DAY,
          startedAt: at + HOUR,
          startedBy: 'u-sup',
          reply: null,
          closedAt: null,
          checklist: [],
          reExamination: { startedAt: at + HOUR, startedBy: 'u-sup', assigneeId: 'u-op', previousAssigneeId: null, comment: 'Пересмотр' },
          decisionId: null,
          completedAt: null,
        }
      : null,
    log: [],
  };
}

/** The stored record of a spec, before its status changes. */
export function recordOf(s: Spec): AppealRecord {
  return makeRegisteredAppeal({
    id: s.id,
    number: `77-2026-${String(s.i).padStart(6, '0')}`,
    departmentId: s.departmentId,
    categoryId: s.categoryId,
    type: s.type,
    region: s.region,
    createdAt: s.submittedAt,
    submittedAt: s.submittedAt,
    updatedAt: s.submittedAt,
    statusChangedAt: s.submittedAt,
    deadlineAt: s.deadlineAt,
    repeatOfId: s.repeat ? 'an-appeal-earlier' : null,
    clocks: {
      receivedAt: s.submittedAt,
      registeredAt: s.submittedAt,
      answerDays: 30,
      answeredAt: null,
      extensions: Array.from({ length: s.extensions }, (_, k) => ({
        at: s.submittedAt + (k + 1) * DAY,
        byId: 'u-sup',
        byName: 'Петрова',
        days: 10,
        reason: 'Нужна экспертиза',
      })),
      redirects: Array.from({ length: s.redirects }, () => ({
        at: s.submittedAt + HOUR,
        byId: 'u-op',
        fromDepartmentId: 'an-dep-0',
        fromDepartment: 'Прежний',
        toDepartmentId: s.departmentId,
        toDepartment: 'Нынешний',
        reason: 'Не наша компетенция',
      })),
      waitingMs: 0,
      waitingSince: null,
    },
    escalations: Array.from({ length: s.escalations }, () => ({ appealId: `${s.id}-esc`, departmentId: 'an-dep-top', at: s.submittedAt + 2 * DAY })),
  });
}

/**
 * Stores the fixture through the port: each appeal created registered, then
 * (when the spec has one) a citizen's and the system's entries that are no
 * response, the staff's first response, and the outcome written by a
 * later transition or update.
 */
export async function seedFixture(store: Store, specs: readonly Spec[] = SPECS): Promise<void> {
  // One appeal at a time on MongoDB: FerretDB on SQLite answers concurrent writes with SQLITE_BUSY and long waits.
  const lanes = store.kind === 'sqlite' ? specs.length : 1;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let k = lane; k < specs.length; k += lanes) await seedOne(store, specs[k]!);
    }),
  );
}

async function seedOne(store: Store, s: Spec): Promise<void> {
  let appeal = recordOf(s);
  await store.appeals.create(appeal);
  if (s.firstResponseMs === null) return;
  const at = s.submittedAt + s.firstResponseMs;
  // An entry by the citizen or the system before the response is not it (every fourth appeal has one).
  if (s.i % 4 === 1) {
    const before = await store.appeals.transition(
      appeal.id,
      appeal.version,
      { updatedAt: at - 2 },
      makeHistoryEntry({ at: at - 2, actorRole: s.i % 8 === 1 ? 'system' : 'citizen', from: 'registered', to: 'registered', action: 'remind' }),
    );
    appeal = before!.appeal;
  }
  let r = await store.appeals.transition(
    appeal.id,
    appeal.version,
    { status: 'in_progress' },
    makeHistoryEntry({ at, actorRole: s.i % 2 === 0 ? 'operator' : 'supervisor', from: 'registered', to: 'in_progress', action: 'take' }),
  );
  appeal = r!.appeal;
  if (s.status === 'in_progress') return;
  const decidedAt = s.submittedAt + (s.decisionMs ?? 0);
  r = await store.appeals.transition(
    appeal.id,
    appeal.version,
    { status: s.status, decisions: decisionOf(s) },
    makeHistoryEntry({ at: decidedAt, actorRole: 'operator', from: 'in_progress', to: s.status, action: 'decide' }),
  );
  appeal = r!.appeal;
  // The rating comes by a plain update (no history entry).
  const fb = feedbackOf(s);
  if (fb) await store.appeals.update(appeal.id, appeal.version, { feedback: fb });
}

/** Nearest-rank percentile of plain numbers, worked out here. */
export function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(p * sorted.length) - 1] ?? null;
}

export interface Expected {
  received: number;
  completed: number;
  rejected: number;
  decided: number;
  onTime: number;
  extensions: number;
  redirects: number;
  repeats: number;
  reExaminations: number;
  escalations: number;
  rated: number;
  starsSum: number;
  lowRated: number;
  ratings: number[];
  firstResponse: { count: number; medianMs: number | null; p90Ms: number | null };
  decision: { count: number; medianMs: number | null; p90Ms: number | null };
}

/** The figures of the specs selected, from the specs alone. */
export function expectedOf(specs: readonly Spec[]): Expected {
  const fr = specs.flatMap((s) => (s.firstResponseMs === null ? [] : [s.firstResponseMs]));
  const dm = specs.flatMap((s) => (s.decisionMs === null ? [] : [s.decisionMs]));
  const sum = (f: (s: Spec) => number): number => specs.reduce((n, s) => n + f(s), 0);
  return {
    received: specs.length,
    completed: sum((s) => (s.status === 'completed' ? 1 : 0)),
    rejected: sum((s) => (s.status === 'rejected' ? 1 : 0)),
    decided: dm.length,
    onTime: sum((s) => (s.decisionMs !== null && s.submittedAt + s.decisionMs <= s.deadlineAt ? 1 : 0)),
    extensions: sum((s) => s.extensions),
    redirects: sum((s) => s.redirects),
    repeats: sum((s) => (s.repeat ? 1 : 0)),
    reExaminations: sum((s) => (s.reExamination ? 1 : 0)),
    escalations: sum((s) => s.escalations),
    rated: sum((s) => (s.stars === null ? 0 : 1)),
    starsSum: sum((s) => s.stars ?? 0),
    lowRated: sum((s) => (s.stars !== null && s.stars <= 2 ? 1 : 0)),
    ratings: [1, 2, 3, 4, 5].map((k) => sum((s) => (s.stars === k ? 1 : 0))),
    firstResponse: { count: fr.length, medianMs: nearestRank(fr, 0.5), p90Ms: nearestRank(fr, 0.9) },
    decision: { count: dm.length, medianMs: nearestRank(dm, 0.5), p90Ms: nearestRank(dm, 0.9) },
  };
}

/** Monday (YYYY-MM-DD) of a spec's week and its month, Moscow time, by calendar arithmetic on the fixture's start. */
export function weekOf(s: Spec): string {
  const days = Math.floor((s.submittedAt - START) / DAY);
  return new Date(Date.UTC(2026, 0, 5) + Math.floor(days / 7) * 7 * DAY).toISOString().slice(0, 10);
}
export function monthOf(s: Spec): string {
  return new Date(s.submittedAt + 3 * HOUR).toISOString().slice(0, 7);
}
