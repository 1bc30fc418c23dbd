/**
 * What the Store persists. Plain data: no methods, no driver types. Dates are
 * epoch milliseconds so both adapters store and compare them the same way.
 */
import type { DepartmentLevel, ExtraField } from '../../shared/catalogue.js';
import type { Applicant, AppealType, Details, Priority } from '../../shared/schemas/appeal.schema.js';
import type { CodeChannel } from '../../shared/schemas/account.schema.js';
import type { AppealKind } from '../../shared/support.js';
import type { Actor, Role, Status } from '../../shared/status-machine.js';
import type { DecisionRecord, FeedbackRecord } from './decision.records.js';
import type { ComplaintRecord, EscalationLinkRecord, EscalationRecord, SuggestionMark } from './link.records.js';

export type * from './canned.records.js';
export type * from './group.records.js';
export type * from './decision.records.js';
export type * from './link.records.js';

export interface UserRecord {
  id: string;
  email: string;
  phone: string;
  passwordHash: string;
  fullName: string;
  role: Role;
  /** Operators and supervisors belong to one department. */
  departmentId: string | null;
  birthDate: string | null;
  inn: string | null;
  address: string | null;
  emailConfirmed: boolean;
  phoneConfirmed: boolean;
  /** Locked at once by the owner (suspected compromise) or by an admin. */
  locked: boolean;
  /** Who locked it: the owner's lock is lifted by a code to their contact, an admin's only by an admin; null: not locked, or locked before this was kept. */
  lockedBy?: 'self' | 'admin' | null;
  /** Citizen's choice: may invited experts see contact data (PRODUCT.md §8). */
  expertsSeeContacts: boolean;
  createdAt: number;
  /** The version of the personal-data consent the person accepted, and when (consent.ts); null: none yet. */
  consentVersion?: string | null;
  consentAcceptedAt?: number | null;
}

export interface SessionRecord {
  /** sha256 of the cookie token; the token itself is never stored. */
  id: string;
  userId: string;
  /** Echoed by the client in `x-csrf-token` on state-changing requests. */
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  /** The device it was opened from (the profile's list of sessions): User-Agent (cut to 300 characters) and IP. */
  userAgent?: string | null;
  ip?: string | null;
}

/** Confirming a contact, changing it to `target`, recovering the password, unlocking the account. */
export type CodePurpose = 'confirm_contact' | 'change_contact' | 'recover' | 'unlock';

export interface CodeRecord {
  /** The request id given to the client; a code is valid only with it. */
  id: string;
  userId: string;
  channel: CodeChannel;
  purpose: CodePurpose;
  /** sha256(id + code): single-use and bound to its request. */
  codeHash: string;
  attempts: number;
  expiresAt: number;
  consumedAt: number | null;
  createdAt: number;
  /** change_contact: the new e-mail or phone the code was sent to. */
  target?: string | null;
}

export interface DepartmentRecord {
  id: string;
  /** Unique: `housing`, `social`, … */
  code: string;
  name: string;
  /** Two-digit region code (77 = Moscow). */
  region: string;
  level: DepartmentLevel;
  /** The department above it, where escalation goes (PRODUCT.md §7); null at the top. */
  parentId: string | null;
}

export interface CategoryRecord {
  id: string;
  code: string;
  name: string;
  departmentId: string;
  /** The answer is due this many days after submission. */
  deadlineDays: number;
  requiredDocuments: string[];
  /** Fields the category adds to the appeal form. */
  extraFields: ExtraField[];
  /** Lower-case words that suggest the category for a typed text. */
  keywords: string[];
  /** Archived: left out of the public list, and an appeal cannot be submitted in it. */
  archived: boolean;
}

export interface AppealRecord {
  id: string;
  /** RR-YYYY-NNNNNN, given at first submission and kept across resubmissions. */
  number: string | null;
  citizenId: string;
  categoryId: string | null;
  departmentId: string | null;
  type: AppealType | null;
  subject: string;
  /** Plain text of the description (the Yjs document's text once co-edited). */
  description: string;
  details: Details;
  applicant: Applicant;
  extra: Record<string, string>;
  region: string;
  priority: Priority;
  status: Status;
  deadlineAt: number | null;
  assigneeId: string | null;
  expertIds: string[];
  resubmissionCount: number;
  /** sha256 of the public-lookup access code. */
  accessCodeHash: string | null;
  repeatOfId: string | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
  /** Last time the status changed; for "time waiting" and auto-confirmation. */
  statusChangedAt: number;
  /** The law's clocks from submission on (null for a draft). */
  clocks: AppealClocksRecord | null;
  /** Decision documents, oldest first; the last may be a proposed resolution not yet issued (decision.records.ts). */
  decisions: DecisionRecord[];
  /** The citizen's rating of the decision and the supervisor's review of it; null until rated. */
  feedback: FeedbackRecord | null;
  /** A complaint's subject (type `complaint`; link.records.ts); null for other kinds. */
  complaint: ComplaintRecord | null;
  /** A suggestion's mark once answered: «принято к рассмотрению» or «учтено». */
  suggestionMark: SuggestionMark | null;
  /** Set on an appeal created by escalation: its origin and the higher department's answer. */
  escalation: EscalationRecord | null;
  /** Escalations of this appeal to higher departments, oldest first. */
  escalations: EscalationLinkRecord[];
  /** Departments whose staff read this room without writing (the higher departments it was escalated to). */
  readerDepartmentIds: string[];
  /** `support`: a conversation with the portal's support (docs/support.md), outside the law's clocks; `appeal` otherwise. */
  kind: AppealKind;
  /** The citizen's choice for this appeal: invited experts see their contacts and identifiers (docs/privacy.md); off by default. */
  expertsSeeContacts: boolean;
  /** Bumped on every write; used for optimistic concurrency. */
  version: number;
}

/**
 * What the law's clocks of an appeal are computed from (59-ФЗ;
 * server/domain/clocks/law-clocks.ts): the terms themselves follow from these
 * instants and the working-day calendar, so a corrected calendar moves them.
 */
export interface AppealClocksRecord {
  /** Received by the department that has it now: the submission, or the redirect that brought it. */
  receivedAt: number;
  /** Registered there: at submission; after a redirect, when the receiving department takes it (null until then). */
  registeredAt: number | null;
  /** The answer term in days (the category's, at submission). */
  answerDays: number;
  /** When the department answered: proposed a resolution or rejected (null again when it goes back to work). */
  answeredAt: number | null;
  /** Extensions of the answer term by this department, in order. */
  extensions: AppealExtensionRecord[];
  /** Every redirect, in order (the last one brought it here). */
  redirects: AppealRedirectRecord[];
  /** Time spent waiting for the citizen's answer to requests for information, before the current wait. */
  waitingMs: number;
  /** When the current wait for the citizen began; null when not waiting. */
  waitingSince: number | null;
}

export interface AppealExtensionRecord {
  at: number;
  byId: string;
  /** The supervisor's name then. */
  byName: string;
  days: number;
  reason: string;
}

export interface AppealRedirectRecord {
  at: number;
  byId: string;
  fromDepartmentId: string;
  /** The departments' names then. */
  fromDepartment: string;
  toDepartmentId: string;
  toDepartment: string;
  reason: string;
}

/** One year of the working-day calendar: its exceptions to the Monday–Friday week. */
export interface CalendarYearRecord {
  year: number;
  /** The decree on transfers its days follow, or null. */
  decree: string | null;
  days: { date: string; kind: 'holiday' | 'day_off' | 'workday'; note: string }[];
  updatedAt: number;
  /** The admin who saved it; null for the shipped data. */
  updatedBy: string | null;
}

export interface StatusHistoryRecord {
  appealId: string;
  /** 1, 2, 3… per appeal, in order. */
  seq: number;
  at: number;
  actorId: string | null;
  actorRole: Actor;
  from: Status;
  to: Status;
  action: string;
  comment: string | null;
}

export interface AuditRecord {
  /** 1, 2, 3… over the whole journal. */
  seq: number;
  at: number;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  /** JSON-safe details: ids, codes, counts; of personal data only the file names of attachment entries (read by staff). */
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface ChatMessageRecord {
  appealId: string;
  /** Per-room sequence given by the server. */
  seq: number;
  /** Client-generated id for idempotent retry. */
  clientId: string;
  authorId: string;
  authorRole: Role;
  text: string;
  /** Staff-only note: never sent to a citizen. */
  internal: boolean;
  at: number;
  /**
   * Set on an edit entry: the seq of the message it changes. An edit or a
   * withdrawal is appended to the room's log like a message (its own seq and
   * clientId, the target's `internal`); the message keeps its first text, so
   * every earlier text stays in the log (server/domain/chat/chat-edits.ts).
   */
  editOf?: number;
  /** On an edit entry: the message is withdrawn (the entry's text is empty). */
  withdrawn?: boolean;
}

export interface YjsUpdateRecord {
  appealId: string;
  seq: number;
  update: Uint8Array;
  authorId: string | null;
  at: number;
}

export interface AttachmentVersion {
  version: number;
  blobId: string;
  size: number;
  mime: string;
  fileName: string;
  /** Who uploaded it, or restored it (a restore is a version of its own). */
  uploadedBy: string;
  at: number;
  /** Set on a restore: the earlier version whose bytes and name this one repeats. Absent on an upload. */
  restoredFrom?: number;
}

export interface AttachmentRecord {
  id: string;
  appealId: string;
  /** The version shown now; restore points it back at an earlier one. */
  currentVersion: number;
  versions: AttachmentVersion[];
  createdAt: number;
}

/** One field an appeal's correction changed, as text (`details.expected`, `extra.account`, `subject`…). */
export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

/**
 * An entry of the case's own history beside the status history: what the
 * citizen added after submission (`supplement`: text and documents) or
 * changed in a rejected appeal before resubmitting it (`correction`: each
 * field with its earlier value).
 */
export interface CaseEntryRecord {
  id: string;
  appealId: string;
  /** 1, 2, 3… per appeal, in order. */
  seq: number;
  kind: 'supplement' | 'correction';
  at: number;
  authorId: string;
  /** The supplement's text ('' for a correction). */
  text: string;
  /** Attachments of the appeal the supplement brought. */
  attachmentIds: string[];
  /** A correction's changed fields (empty for a supplement). */
  changes: FieldChange[];
}
