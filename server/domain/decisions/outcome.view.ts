/**
 * What a viewer is shown of an appeal's decisions and of the rating with its
 * review. Every participant of the room sees them (the citizen's rating is
 * about the decision they all saw); the steps offered depend on the viewer.
 */
import { isRatingChangeable, RATEABLE_STATUS, reviewActionsFrom, type ReviewAction } from '../../../shared/status-machine.js';
import type { DecisionView, FeedbackView, ReviewView } from '../../../shared/schemas/outcome.schema.js';
import type { AppealRecord, DecisionRecord, ReviewRecord } from '../../store/store.js';
import { roomRoleOf } from '../appeals/appeal.policy.js';
import type { Viewer } from '../viewer.js';

export function toDecisionView(d: DecisionRecord): DecisionView {
  return {
    id: d.id,
    seq: d.seq,
    kind: d.kind,
    text: d.text,
    attachmentIds: [...d.attachmentIds],
    signerName: d.signer.name,
    signerRole: d.signer.role,
    departmentName: d.signer.departmentName,
    appealNumber: d.appealNumber,
    proposedAt: d.proposedAt,
    issuedAt: d.issuedAt,
    reviewId: d.reviewId,
  };
}

/** Whether the viewer is a supervisor of the appeal's department (reviews are theirs). */
export function isReviewerOf(
  viewer: Viewer,
  appeal: Pick<AppealRecord, 'id' | 'status' | 'citizenId' | 'assigneeId' | 'departmentId' | 'expertIds' | 'version'>,
): boolean {
  return viewer.role === 'supervisor' && roomRoleOf(viewer, appeal) === 'officer';
}

/** Whether the viewer may tick the re-examination's checklist: its officer, or a supervisor of the department. */
export function canMarkChecklist(viewer: Viewer, appeal: AppealRecord, review: ReviewRecord): boolean {
  if (review.state !== 're_examination' || appeal.status === 'completed' || appeal.status === 'rejected') return false;
  return isReviewerOf(viewer, appeal) || (roomRoleOf(viewer, appeal) === 'officer' && review.reExamination?.assigneeId === viewer.id);
}

function reviewView(viewer: Viewer, appeal: AppealRecord, r: ReviewRecord, now: number): ReviewView {
  // The supervisor's steps; re-examination also needs the appeal still completed.
  const actions: ReviewAction[] = isReviewerOf(viewer, appeal)
    ? reviewActionsFrom('supervisor', r.state).filter((a) => a !== 're_examine' || appeal.status === RATEABLE_STATUS)
    : [];
  return {
    id: r.id,
    state: r.state,
    reason: r.reason,
    openedAt: r.openedAt,
    dueAt: r.dueAt,
    overdue: (r.state === 'pending' || r.state === 'in_review') && now > r.dueAt,
    startedAt: r.startedAt,
    reply: r.reply,
    closedAt: r.closedAt,
    checklist: r.checklist.map((i) => ({ id: i.id, text: i.text, doneAt: i.doneAt })),
    reExamination: r.reExamination ? { startedAt: r.reExamination.startedAt, assigneeId: r.reExamination.assigneeId, comment: r.reExamination.comment } : null,
    decisionId: r.decisionId,
    completedAt: r.completedAt,
    actions,
    canMarkChecklist: canMarkChecklist(viewer, appeal, r),
  };
}

/** The rating as this viewer sees it; null when there is none. */
export function toFeedbackView(viewer: Viewer, appeal: AppealRecord, now: number): FeedbackView | null {
  const f = appeal.feedback;
  if (!f) return null;
  const isOwner = appeal.citizenId === viewer.id;
  return {
    id: f.id,
    decisionId: f.decisionId,
    stars: f.stars,
    remarks: f.remarks,
    category: f.category,
    attachmentId: f.attachmentId,
    isComplaint: f.isComplaint,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
    canChange: isOwner && appeal.status === RATEABLE_STATUS && isRatingChangeable(f.review?.state ?? null),
    review: f.review ? reviewView(viewer, appeal, f.review, now) : null,
    log: f.log.map((e) => ({ at: e.at, action: e.action, actorName: e.actorName, note: e.note })),
  };
}
