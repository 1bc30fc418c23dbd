/**
 * What an appeal keeps after its decision (PRODUCT.md §7): the decision
 * documents and the citizen's rating with the supervisor's review of it.
 * Both live inside the appeal's record, so that a status change, the decision
 * it issues and the review it completes are one compare-and-set on both
 * adapters (one row on SQLite, one document on MongoDB).
 */
import type { FeedbackCategory } from '../../shared/schemas/outcome.schema.js';
import type { ReviewAction, ReviewState } from '../../shared/status-machine.js';

/** Who signed a decision, as they were named when it was written. */
export interface SignerRecord {
  id: string;
  name: string;
  role: 'operator' | 'supervisor';
  departmentName: string;
}

/**
 * One decision document. A proposed resolution is a decision not yet issued
 * (`issuedAt` null): the citizen's confirmation, or the 5 days of silence,
 * issues it; a dispute drops it. A rejection is issued at once.
 */
export interface DecisionRecord {
  id: string;
  /** 1, 2, 3… among the appeal's decisions. */
  seq: number;
  kind: 'completion' | 'rejection';
  text: string;
  /** Files of the appeal the decision refers to. */
  attachmentIds: string[];
  signer: SignerRecord;
  /** The appeal's number when it was written. */
  appealNumber: string;
  proposedAt: number;
  issuedAt: number | null;
  /** The review whose re-examination this decision answers; null for a first decision. */
  reviewId: string | null;
}

/** One step in the life of a rating and its review, as the citizen sees it listed. */
export interface FeedbackLogRecord {
  at: number;
  action: ReviewAction | 'rated' | 'rating_changed' | 'checklist' | 'overdue';
  actorId: string | null;
  actorName: string | null;
  note: string | null;
}

/** One thing the re-examination must redo. */
export interface ChecklistItemRecord {
  id: string;
  text: string;
  doneAt: number | null;
  doneBy: string | null;
}

export interface ReviewRecord {
  id: string;
  state: ReviewState;
  reason: 'low_rating' | 'complaint';
  openedAt: number;
  /** openedAt + REVIEW_DAYS. */
  dueAt: number;
  startedAt: number | null;
  startedBy: string | null;
  /** The supervisor's answer when closing the review. */
  reply: string | null;
  closedAt: number | null;
  checklist: ChecklistItemRecord[];
  reExamination: { startedAt: number; startedBy: string; assigneeId: string; previousAssigneeId: string | null; comment: string } | null;
  /** The decision that ended the re-examination. */
  decisionId: string | null;
  completedAt: number | null;
}

/** The citizen's rating of a decision (one per appeal) and its review. */
export interface FeedbackRecord {
  id: string;
  /** The decision rated: the last one issued when rated (null for an appeal completed before decisions were kept). */
  decisionId: string | null;
  stars: number;
  remarks: string;
  category: FeedbackCategory;
  /** A file of the appeal the citizen attached to the rating. */
  attachmentId: string | null;
  isComplaint: boolean;
  createdAt: number;
  updatedAt: number;
  review: ReviewRecord | null;
  log: FeedbackLogRecord[];
}
