/**
 * What the Store keeps after the decision (decision.records.ts), declared
 * inside the Store contract (store.contract.ts) so that it runs on each
 * adapter: decisions and the rating with its review inside the appeal's
 * record, written by the transition's own compare-and-set or not at all, and
 * the supervisors' list of appeals by the review's state.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionRecord, FeedbackRecord, Store } from '../../server/store/store.js';
import { DAY, T0, makeAppeal, makeAuditDraft, makeHistoryEntry, makeRegisteredAppeal } from '../helpers/factories.js';

const decision = (overrides: Partial<DecisionRecord> = {}): DecisionRecord => ({
  id: 'decision-000000001',
  seq: 1,
  kind: 'completion',
  text: 'Платёж зачислен.\n\nПовторная оплата не требуется.',
  attachmentIds: ['att-0000000001'],
  signer: { id: 'u-operator-001', name: 'Семёнова Ирина', role: 'operator', departmentName: 'Служба поддержки портала' },
  appealNumber: '77-2026-000001',
  proposedAt: T0,
  issuedAt: T0 + DAY,
  reviewId: null,
  ...overrides,
});

const feedback = (overrides: Partial<FeedbackRecord> = {}): FeedbackRecord => ({
  id: 'feedback-00000001',
  decisionId: 'decision-000000001',
  stars: 2,
  remarks: 'Ответ не по существу',
  category: 'legal',
  attachmentId: null,
  isComplaint: true,
  createdAt: T0,
  updatedAt: T0,
  review: {
    id: 'review-0000000001',
    state: 'in_review',
    reason: 'complaint',
    openedAt: T0,
    dueAt: T0 + 30 * DAY,
    startedAt: T0 + 1,
    startedBy: 'u-supervisor-1',
    reply: null,
    closedAt: null,
    checklist: [{ id: 'item-000000001', text: 'Запросить выписку', doneAt: null, doneBy: null }],
    reExamination: null,
    decisionId: null,
    completedAt: null,
  },
  log: [{ at: T0, action: 'rated', actorId: 'u-citizen-001', actorName: 'Иванов Иван', note: '2 из 5' }],
  ...overrides,
});

export function describeDecisions(s: () => Store): void {
  describe('decisions and ratings', () => {
    it('an appeal stores no decisions and no rating until given, then exactly what it was given', async () => {
      const draft = makeAppeal();
      await s().appeals.create(draft);
      expect(await s().appeals.get(draft.id)).toMatchObject({ decisions: [], feedback: null });
      const rated = makeRegisteredAppeal({ status: 'completed', decisions: [decision()], feedback: feedback() });
      await s().appeals.create(rated);
      expect(await s().appeals.get(rated.id)).toEqual(rated);
    });

    it('a transition writes the decision and the review with the status, or nothing when its compare-and-set loses', async () => {
      const appeal = makeRegisteredAppeal({ status: 'awaiting_confirmation', decisions: [decision({ issuedAt: null })], feedback: null });
      await s().appeals.create(appeal);
      const issued = [decision()];
      const lost = await s().appeals.transition(
        appeal.id,
        appeal.version + 1,
        { status: 'completed', decisions: issued },
        makeHistoryEntry({ from: 'awaiting_confirmation', to: 'completed', action: 'confirm' }),
        makeAuditDraft(),
      );
      expect(lost).toBeNull();
      expect((await s().appeals.get(appeal.id))?.decisions).toEqual([decision({ issuedAt: null })]);
      const won = await s().appeals.transition(
        appeal.id,
        appeal.version,
        { status: 'completed', decisions: issued },
        makeHistoryEntry({ from: 'awaiting_confirmation', to: 'completed', action: 'confirm' }),
        makeAuditDraft(),
      );
      expect(won?.appeal).toMatchObject({ status: 'completed', decisions: issued });
      // The re-examination: the status, the assignee and the review in one write.
      const review = { ...feedback().review!, state: 're_examination' as const };
      const reopened = await s().appeals.transition(
        appeal.id,
        won!.appeal.version,
        { status: 'in_progress', assigneeId: 'u-supervisor-1', feedback: feedback({ review }) },
        makeHistoryEntry({ from: 'completed', to: 'in_progress', action: 're_examine' }),
        makeAuditDraft(),
      );
      expect(await s().appeals.get(appeal.id)).toEqual(reopened!.appeal);
      expect(reopened!.appeal.feedback?.review?.state).toBe('re_examination');
      expect((await s().appeals.history(appeal.id)).map((h) => h.action)).toEqual(['confirm', 're_examine']);
    });

    it('returns copies: mutating a returned decision or rating changes nothing stored', async () => {
      const appeal = makeRegisteredAppeal({ status: 'completed', decisions: [decision()], feedback: feedback() });
      await s().appeals.create(appeal);
      const got = (await s().appeals.get(appeal.id))!;
      got.decisions[0]!.text = 'изменено';
      got.feedback!.review!.checklist.pop();
      got.feedback!.log.push({ at: 0, action: 'overdue', actorId: null, actorName: null, note: null });
      expect(await s().appeals.get(appeal.id)).toEqual(appeal);
    });

    it('lists a department’s appeals by their review’s state, newest first, paged', async () => {
      const departmentId = 'dep-reviews-0001';
      const states = ['pending', 'in_review', 'closed', 'pending'] as const;
      const made = [];
      for (const [i, state] of states.entries()) {
        const a = makeRegisteredAppeal({
          departmentId,
          status: 'completed',
          createdAt: T0 + i,
          feedback: feedback({ review: { ...feedback().review!, id: `review-00000000${i}`, state } }),
        });
        await s().appeals.create(a);
        made.push(a);
      }
      await s().appeals.create(makeRegisteredAppeal({ departmentId, status: 'completed', feedback: feedback({ review: null }) }));
      await s().appeals.create(makeRegisteredAppeal({ departmentId, status: 'completed' }));
      await s().appeals.create(makeRegisteredAppeal({ departmentId: 'dep-other-00001', feedback: feedback() }));
      const open = await s().appeals.list({ departmentId, reviewStates: ['pending', 'in_review'], sort: 'created', limit: 2, offset: 0 });
      expect(open.total).toBe(3);
      expect(open.items.map((a) => a.id)).toEqual([made[3]!.id, made[1]!.id]);
      const closed = await s().appeals.list({ departmentId, reviewStates: ['closed'], sort: 'created', limit: 10, offset: 0 });
      expect(closed.items.map((a) => a.id)).toEqual([made[2]!.id]);
      expect((await s().appeals.list({ departmentId, reviewStates: [], sort: 'created', limit: 10, offset: 0 })).total).toBe(0);
    });
  });
}
