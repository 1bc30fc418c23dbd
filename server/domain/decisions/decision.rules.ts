/**
 * What a status change does to the appeal's decisions and to the review of
 * its rating (docs/decisions.md). Pure: the caller writes the patch in the
 * transition's own compare-and-set, so the change, the decision it issues and
 * the review it completes are stored together or not at all.
 *
 * - «Предложить решение»: the officer's text (the transition's comment) and
 *   files become a decision not yet issued, signed by them.
 * - «Подтвердить решение» and the automatic confirmation issue it, dated then.
 * - «Оспорить» (and any other way out of awaiting confirmation) drops it.
 * - «Отклонить»: the reason is a rejection decision, issued at once.
 * - A decision issued while the rating's review is re-examining the appeal
 *   answers it: the decision names the review, and the review is completed.
 */
import { findReviewTransition, type Transition } from '../../../shared/status-machine.js';
import type { AppealPatch, AppealRecord, DecisionRecord, FeedbackRecord, ReviewRecord, SignerRecord } from '../../store/store.js';

export interface TransitionOutcomeInput {
  appeal: Pick<AppealRecord, 'number' | 'decisions' | 'feedback'>;
  t: Pick<Transition, 'action' | 'to'>;
  now: number;
  /** The transition's comment: the decision's text for a proposal or a rejection. */
  comment: string | null;
  /** Files of the appeal the decision refers to (checked by the caller). */
  attachmentIds: readonly string[];
  /** The officer proposing or rejecting, as they sign; null for the citizen and the system. */
  signer: SignerRecord | null;
  /**
   * The proposal to issue when the record holds none (an appeal proposed
   * before decisions were kept: its text and signer from the status history).
   */
  fallbackProposal?: DecisionRecord | null;
  newId: () => string;
}

export interface TransitionOutcome {
  /** The fields to write with the transition (empty: nothing changes). */
  patch: Pick<AppealPatch, 'decisions' | 'feedback'>;
  /** The decision this transition issued. */
  issued: DecisionRecord | null;
  /** The review it completed. */
  completedReview: ReviewRecord | null;
}

/** The review re-examining the appeal now, or null. */
export function reExaminationOf(feedback: FeedbackRecord | null): ReviewRecord | null {
  return feedback?.review?.state === 're_examination' ? feedback.review : null;
}

export function outcomeOf(i: TransitionOutcomeInput): TransitionOutcome {
  const { appeal, t, now } = i;
  const issuedBefore = appeal.decisions.filter((d) => d.issuedAt !== null);
  const proposal = appeal.decisions.find((d) => d.issuedAt === null) ?? i.fallbackProposal ?? null;
  const reExam = reExaminationOf(appeal.feedback);
  const draft = (kind: DecisionRecord['kind'], issuedAt: number | null): DecisionRecord => {
    if (!i.signer) throw new Error(`${t.action}: a decision needs the officer who signs it`);
    return {
      id: i.newId(),
      seq: issuedBefore.length + 1,
      kind,
      text: i.comment ?? '',
      attachmentIds: [...i.attachmentIds],
      signer: i.signer,
      appealNumber: appeal.number ?? '',
      proposedAt: now,
      issuedAt,
      reviewId: reExam?.id ?? null,
    };
  };

  let issued: DecisionRecord | null = null;
  if (t.action === 'propose_resolution') {
    return { patch: { decisions: [...issuedBefore, draft('completion', null)] }, issued: null, completedReview: null };
  } else if (t.action === 'reject') {
    issued = draft('rejection', now);
  } else if (t.to === 'completed' && proposal) {
    issued = { ...proposal, seq: issuedBefore.length + 1, issuedAt: now, reviewId: reExam?.id ?? proposal.reviewId };
  } else if (appeal.decisions.length !== issuedBefore.length && t.to !== 'awaiting_confirmation') {
    // Disputed, or taken back to work another way: the proposal is no decision.
    return { patch: { decisions: issuedBefore }, issued: null, completedReview: null };
  }
  if (!issued) return { patch: {}, issued: null, completedReview: null };

  const patch: TransitionOutcome['patch'] = { decisions: [...issuedBefore, issued] };
  const step = reExam && appeal.feedback ? findReviewTransition('complete', reExam.state, 'system') : undefined;
  if (!step || !reExam || !appeal.feedback) return { patch, issued, completedReview: null };
  const completedReview: ReviewRecord = { ...reExam, state: step.to, decisionId: issued.id, completedAt: now };
  patch.feedback = {
    ...appeal.feedback,
    review: completedReview,
    log: [
      ...appeal.feedback.log,
      { at: now, action: 'complete', actorId: null, actorName: null, note: `${issued.kind === 'rejection' ? 'Отказ' : 'Решение'} № ${issued.seq}` },
    ],
  };
  return { patch, issued, completedReview };
}
