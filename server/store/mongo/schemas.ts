/**
 * Collections, schemas and indexes of the MongoDB adapter (docs/storage-mongo.md).
 *
 * Every schema keeps the record shape of records.ts (epoch-ms numbers, plain
 * strings) plus a few hidden fields the port never sees (appeals: the sort key,
 * the newest history entry, the journal outbox; attachments: the outbox; audit:
 * the entry's key; sessions and codes: the expiry as a Date, for TTL).
 * Options shared by all schemas:
 * - `strict`/`strictQuery: 'throw'`: a path that is not declared is an error,
 *   never silently dropped (a drift between records.ts and here shows at once);
 * - `minimize: false`: `{}` (an empty `extra` or `details`) is stored as `{}`,
 *   not removed, so records read back exactly as written;
 * - nullable fields are plain types: records always carry every field, and a
 *   String or Number path stores `null` as given;
 * - `versionKey: false`, `id: false`: no `__v`, no virtual `id` over our own;
 * - `writeConcern`: majority + journal (mongoose reads `w`/`j` from here for
 *   saves and query writes; the client default in mongo.store.ts covers the rest);
 * - every query, update and aggregation `$match` refuses an `undefined` value
 *   (`rejectUndefined`): with `ignoreUndefined` on the connection the driver
 *   would leave the key out, and `{ id: undefined }` would match every document.
 *
 * Indexes follow the queries (equality fields, then the sort, then ranges), so
 * no page is sorted in memory; test/unit/mongo-shapes.test.ts checks every
 * query the repositories send against these declarations.
 */
import mongoose, { Schema } from 'mongoose';
import type { Connection, SchemaDefinition } from 'mongoose';
import type { AnalyticsFields } from '../analytics.port.js';
import type {
  AppealRecord,
  AuditDraft,
  AttachmentRecord,
  AuditRecord,
  CalendarYearRecord,
  AppealGroupRecord,
  CannedReplyRecord,
  CaseEntryRecord,
  CategoryRecord,
  ChatMessageRecord,
  CodeRecord,
  DepartmentRecord,
  SessionRecord,
  StatusHistoryRecord,
  UserRecord,
  YjsUpdateRecord,
  YjsVersionRecord,
} from '../store.js';

/**
 * A journal entry written into the changed document by the same atomic write
 * (the outbox), copied into the journal right after, and removed once there
 * (outbox.ts). `key` makes the copy idempotent.
 */
export interface OutboxEntry {
  key: string;
  draft: AuditDraft;
}

/** Stored form of an appeal: the record plus the hidden bookkeeping fields. */
export interface AppealDoc extends Omit<AppealRecord, 'number'> {
  /** Absent on drafts (not null), so the sparse unique index leaves them out. */
  number?: string | null;
  /** `deadlineAt ?? Number.MAX_SAFE_INTEGER`: ascending sort puts "no deadline" last. */
  deadlineSort: number;
  /** Seq of the newest status-history entry (bumped in the compare-and-set). */
  historySeq: number;
  /** The newest history entry, written atomically with the status change (see appeals.repo.ts). */
  lastHistory: StatusHistoryRecord | null;
  auditOutbox?: OutboxEntry[];
  /** Appeals created with a change of this one (`createLinked`), until they are inserted (appeals.repo.ts). */
  pendingCreates?: AppealDoc[];
  /** The analytics fields (analytics.port.ts), kept in step by every write; absent until backfilled at open. */
  an?: AnalyticsFields;
}

export interface AttachmentDoc extends AttachmentRecord {
  auditOutbox?: OutboxEntry[];
}

export interface CaseEntryDoc extends CaseEntryRecord {
  auditOutbox?: OutboxEntry[];
}

/** Stored journal entry: the record plus the key that makes appending it idempotent. */
export interface AuditDoc extends AuditRecord {
  key?: string;
}

/** Sessions and codes carry their removal time as a Date: TTL indexes read Dates only. */
export type SessionDoc = SessionRecord & { expireAt?: Date };
export type CodeDoc = CodeRecord & { expireAt?: Date };

/** Stored form of a Yjs update (bytes as Buffer on the way in). */
export type YjsUpdateDoc = Omit<YjsUpdateRecord, 'update'> & { update: Buffer };
export type YjsVersionDoc = Omit<YjsVersionRecord, 'state'> & { state: Buffer };

export interface ReadMarkDoc {
  appealId: string;
  userId: string;
  seq: number;
}

export interface CounterDoc {
  name: string;
  value: number;
}

/**
 * How long a write waits for its write concern. Past it the write fails
 * (WriteConcernFailed) instead of hanging while no majority is reachable; it
 * may have been applied on the primary, which every caller tolerates (retries
 * are idempotent: unique seqs, keyed journal entries, client ids).
 */
export const WRITE_TIMEOUT_MS = 15_000;

/**
 * Durable writes: acknowledged by a majority, in the journal (store.ts rule 1).
 * A driver WriteConcern, so it carries both spellings of the journal flag
 * (mongoose copies `j` from a schema option, the driver reads `journal`).
 */
export const DURABLE = new mongoose.mongo.WriteConcern('majority', WRITE_TIMEOUT_MS, true);

/**
 * `durability: 'process'` (store.ts): acknowledged by a majority, without
 * waiting for the journal. On a standalone server that skips the journal's
 * group commit (at most its 100 ms interval is lost in a power cut of the
 * database host, not in a crash of this process); on a replica set a majority
 * write is journalled anyway (writeConcernMajorityJournalDefault), so it costs
 * the same as DURABLE and can never be rolled back.
 */
export const PROCESS = new mongoose.mongo.WriteConcern('majority', WRITE_TIMEOUT_MS, false);

const Mixed = Schema.Types.Mixed;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** Throws when a filter holds `undefined` anywhere (it would be dropped, widening the filter). */
export function rejectUndefined(value: unknown, path = ''): void {
  if (value === undefined) throw new TypeError(`undefined value in a MongoDB filter${path ? ` at ${path}` : ''}`);
  if (Array.isArray(value))
    value.forEach((v, i) => {
      rejectUndefined(v, `${path}[${i}]`);
    });
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) rejectUndefined(v, path ? `${path}.${k}` : k);
}

const FILTERED_QUERIES: mongoose.MongooseDefaultQueryMiddleware[] = [
  'countDocuments',
  'deleteMany',
  'deleteOne',
  'distinct',
  'find',
  'findOne',
  'findOneAndDelete',
  'findOneAndReplace',
  'findOneAndUpdate',
  'replaceOne',
  'updateMany',
  'updateOne',
];

function schema<T>(collection: string, def: SchemaDefinition<T>): Schema<T> {
  const s = new Schema<T>(def, {
    collection,
    strict: 'throw',
    strictQuery: 'throw',
    minimize: false,
    versionKey: false,
    id: false,
    writeConcern: DURABLE,
  });
  s.pre(FILTERED_QUERIES, function (this: mongoose.Query<unknown, unknown>) {
    rejectUndefined(this.getFilter());
  });
  s.pre('aggregate', function (this: mongoose.Aggregate<unknown>) {
    for (const stage of this.pipeline()) if ('$match' in stage) rejectUndefined(stage.$match);
  });
  return s;
}

const subdocument = <T>(def: SchemaDefinition<T>): Schema<T> => new Schema<T>(def, { _id: false, strict: 'throw', minimize: false, id: false });

const outboxEntry = subdocument<OutboxEntry>({ key: String, draft: Mixed });

const historyEntry = {
  appealId: String,
  seq: Number,
  at: Number,
  actorId: String,
  actorRole: String,
  from: String,
  to: String,
  action: String,
  comment: String,
};

/** Registers every model on `conn`; called once per connection. */
export function defineModels(conn: Connection) {
  const user = schema<UserRecord>('users', {
    id: String,
    email: String,
    phone: String,
    passwordHash: String,
    fullName: String,
    role: String,
    departmentId: String,
    birthDate: String,
    inn: String,
    address: String,
    emailConfirmed: Boolean,
    phoneConfirmed: Boolean,
    locked: Boolean,
    expertsSeeContacts: Boolean,
    createdAt: Number,
    consentVersion: String,
    consentAcceptedAt: Number,
    lockedBy: String,
  });
  user.index({ id: 1 }, { unique: true });
  user.index({ email: 1 }, { unique: true });
  user.index({ phone: 1 }, { unique: true });
  // users.list: optional role / department, then (createdAt, id).
  user.index({ role: 1, createdAt: 1, id: 1 });
  user.index({ departmentId: 1, createdAt: 1, id: 1 });
  user.index({ createdAt: 1, id: 1 });

  const session = schema<SessionDoc>('sessions', {
    id: String,
    userId: String,
    csrfToken: String,
    createdAt: Number,
    expiresAt: Number,
    expireAt: Date,
    userAgent: String,
    ip: String,
  });
  session.index({ id: 1 }, { unique: true });
  session.index({ userId: 1 });

  const code = schema<CodeDoc>('codes', {
    id: String,
    userId: String,
    channel: String,
    purpose: String,
    codeHash: String,
    attempts: Number,
    expiresAt: Number,
    consumedAt: Number,
    createdAt: Number,
    expireAt: Date,
    target: String,
  });
  code.index({ id: 1 }, { unique: true });
  code.index({ userId: 1, channel: 1, createdAt: 1 });

  const department = schema<DepartmentRecord>('departments', {
    id: String,
    code: String,
    name: String,
    region: String,
    level: String,
    parentId: String,
  });
  department.index({ id: 1 }, { unique: true });
  department.index({ code: 1 }, { unique: true });

  const extraField = subdocument({ key: String, label: String, kind: String, required: Boolean });
  const category = schema<CategoryRecord>('categories', {
    id: String,
    code: String,
    name: String,
    departmentId: String,
    deadlineDays: Number,
    requiredDocuments: [String],
    extraFields: [extraField],
    keywords: [String],
    archived: Boolean,
  });
  category.index({ id: 1 }, { unique: true });
  category.index({ code: 1 }, { unique: true });

  const appeal = schema<AppealDoc>('appeals', {
    id: String,
    number: String,
    citizenId: String,
    categoryId: String,
    departmentId: String,
    // At the top level `type: String` is a path named `type` (checked), not a type declaration.
    type: String,
    subject: String,
    description: String,
    details: Mixed,
    applicant: Mixed,
    extra: Mixed,
    region: String,
    priority: String,
    status: String,
    deadlineAt: Number,
    assigneeId: String,
    expertIds: [String],
    resubmissionCount: Number,
    accessCodeHash: String,
    repeatOfId: String,
    createdAt: Number,
    updatedAt: Number,
    submittedAt: Number,
    statusChangedAt: Number,
    clocks: Mixed,
    decisions: Mixed,
    feedback: Mixed,
    complaint: Mixed,
    suggestionMark: String,
    escalation: Mixed,
    escalations: Mixed,
    readerDepartmentIds: [String],
    kind: String,
    expertsSeeContacts: Boolean,
    version: Number,
    deadlineSort: Number,
    historySeq: Number,
    lastHistory: subdocument<StatusHistoryRecord>(historyEntry),
    auditOutbox: [outboxEntry],
    pendingCreates: Mixed,
    an: Mixed,
  });
  appeal.index({ id: 1 }, { unique: true });
  // Analytics (analytics.repo.ts): one department's appeals received in a period.
  appeal.index({ departmentId: 1, submittedAt: 1 });
  // The repeats of an appeal (the other side of `repeatOfId`), newest first.
  appeal.index({ repeatOfId: 1, createdAt: -1, id: -1 });
  // The sweep at open finds the few documents with an appeal still to insert (createLinked).
  appeal.index({ 'pendingCreates.id': 1 }, { sparse: true });
  // Unique among appeals that have a number. Drafts store no `number` at all,
  // so the sparse index leaves them out, and `{ number: x }` (the public
  // lookup) can use it — a partial index on `$type: 'string'` cannot serve
  // that query, and FerretDB has no partial indexes.
  appeal.index({ number: 1 }, { unique: true, sparse: true });
  // listMine: citizen, newest first.
  appeal.index({ citizenId: 1, createdAt: -1, id: -1 });
  // The department queue and the wall: department [, status], by deadline or by creation.
  appeal.index({ departmentId: 1, deadlineSort: 1, createdAt: 1, id: 1 });
  appeal.index({ departmentId: 1, createdAt: -1, id: -1 });
  appeal.index({ departmentId: 1, status: 1, deadlineSort: 1, createdAt: 1, id: 1 });
  appeal.index({ departmentId: 1, status: 1, createdAt: -1, id: -1 });
  // Auto-confirmation: one status, newest first.
  appeal.index({ status: 1, createdAt: -1, id: -1 });
  // Invitations of an expert, by deadline.
  appeal.index({ expertIds: 1, deadlineSort: 1, createdAt: 1, id: 1 });
  // The outbox sweep at open finds the few documents with a pending entry.
  appeal.index({ 'auditOutbox.key': 1 }, { sparse: true });
  // The supervisors' reviews of ratings: department, review state, newest first.
  appeal.index({ departmentId: 1, 'feedback.review.state': 1, createdAt: -1, id: -1 });

  const history = schema<StatusHistoryRecord>('status_history', historyEntry);
  history.index({ appealId: 1, seq: 1 }, { unique: true });

  const audit = schema<AuditDoc>('audit', {
    seq: Number,
    at: Number,
    actorId: String,
    action: String,
    subjectType: String,
    subjectId: String,
    details: Mixed,
    prevHash: String,
    hash: String,
    key: String,
  });
  audit.index({ seq: 1 }, { unique: true });
  // Sparse: an entry without a key (none is written without one) is not indexed.
  audit.index({ key: 1 }, { unique: true, sparse: true });
  // The access log of personal data (access-log.records.ts): by person, and by the appeal's department.
  audit.index({ action: 1, subjectId: 1, seq: -1 });
  audit.index({ action: 1, 'details.departmentId': 1, seq: -1 });

  const chat = schema<ChatMessageRecord>('chat_messages', {
    appealId: String,
    seq: Number,
    clientId: String,
    authorId: String,
    authorRole: String,
    text: String,
    internal: Boolean,
    at: Number,
    editOf: Number,
    withdrawn: Boolean,
  });
  chat.index({ appealId: 1, seq: 1 }, { unique: true });
  // An edit entry is found by the message it changes; sparse: plain messages, without editOf, are not indexed.
  chat.index({ appealId: 1, editOf: 1 }, { sparse: true });
  chat.index({ appealId: 1, clientId: 1 }, { unique: true });

  const readMark = schema<ReadMarkDoc>('chat_read_marks', { appealId: String, userId: String, seq: Number });
  readMark.index({ appealId: 1, userId: 1 }, { unique: true });

  const yjsUpdate = schema<YjsUpdateDoc>('yjs_updates', {
    appealId: String,
    seq: Number,
    update: Buffer,
    authorId: String,
    at: Number,
  });
  yjsUpdate.index({ appealId: 1, seq: 1 }, { unique: true });

  const yjsVersion = schema<YjsVersionDoc>('yjs_versions', {
    id: String,
    appealId: String,
    at: Number,
    authorIds: [String],
    state: Buffer,
  });
  yjsVersion.index({ id: 1 }, { unique: true });
  yjsVersion.index({ appealId: 1, at: -1, id: -1 });

  const attachmentVersion = subdocument({
    version: Number,
    blobId: String,
    size: Number,
    mime: String,
    fileName: String,
    uploadedBy: String,
    at: Number,
    restoredFrom: Number,
  });
  const attachment = schema<AttachmentDoc>('attachments', {
    id: String,
    appealId: String,
    currentVersion: Number,
    versions: [attachmentVersion],
    createdAt: Number,
    auditOutbox: [outboxEntry],
  });
  attachment.index({ id: 1 }, { unique: true });
  attachment.index({ appealId: 1, createdAt: 1, id: 1 });
  attachment.index({ 'auditOutbox.key': 1 }, { sparse: true });

  const fieldChange = subdocument({ field: String, before: String, after: String });
  const caseEntry = schema<CaseEntryDoc>('case_entries', {
    id: String,
    appealId: String,
    seq: Number,
    kind: String,
    at: Number,
    authorId: String,
    text: String,
    attachmentIds: [String],
    changes: [fieldChange],
    auditOutbox: [outboxEntry],
  });
  caseEntry.index({ appealId: 1, seq: 1 }, { unique: true });
  caseEntry.index({ id: 1 }, { unique: true });
  caseEntry.index({ 'auditOutbox.key': 1 }, { sparse: true });

  const caseEntryMark = schema<ReadMarkDoc>('case_entry_marks', { appealId: String, userId: String, seq: Number });
  caseEntryMark.index({ appealId: 1, userId: 1 }, { unique: true });

  const calendarDay = subdocument({ date: String, kind: String, note: String });
  const calendarYear = schema<CalendarYearRecord>('calendar_years', {
    year: Number,
    decree: String,
    days: [calendarDay],
    updatedAt: Number,
    updatedBy: String,
  });
  calendarYear.index({ year: 1 }, { unique: true });

  const cannedReply = schema<CannedReplyRecord>('canned_replies', {
    id: String,
    departmentId: String,
    title: String,
    text: String,
    updatedAt: Number,
    updatedBy: String,
    updatedByName: String,
  });
  cannedReply.index({ id: 1 }, { unique: true });
  cannedReply.index({ departmentId: 1, title: 1 });

  const appealGroup = schema<AppealGroupRecord>('appeal_groups', {
    id: String,
    departmentId: String,
    appealIds: [String],
    createdAt: Number,
    createdBy: String,
    version: Number,
  });
  appealGroup.index({ id: 1 }, { unique: true });
  // Multikey and unique: no appeal in two groups.
  appealGroup.index({ appealIds: 1 }, { unique: true });

  // One document per value taken (documents.repo.ts): the last one is the counter's state.
  const counter = schema<CounterDoc>('counters', { name: String, value: Number });
  counter.index({ name: 1, value: 1 }, { unique: true });

  return {
    users: conn.model<UserRecord>('User', user),
    sessions: conn.model<SessionDoc>('Session', session),
    codes: conn.model<CodeDoc>('Code', code),
    departments: conn.model<DepartmentRecord>('Department', department),
    categories: conn.model<CategoryRecord>('Category', category),
    appeals: conn.model<AppealDoc>('Appeal', appeal),
    history: conn.model<StatusHistoryRecord>('StatusHistory', history),
    audit: conn.model<AuditDoc>('Audit', audit),
    chat: conn.model<ChatMessageRecord>('ChatMessage', chat),
    readMarks: conn.model<ReadMarkDoc>('ChatReadMark', readMark),
    yjsUpdates: conn.model<YjsUpdateDoc>('YjsUpdate', yjsUpdate),
    yjsVersions: conn.model<YjsVersionDoc>('YjsVersion', yjsVersion),
    attachments: conn.model<AttachmentDoc>('Attachment', attachment),
    counters: conn.model<CounterDoc>('Counter', counter),
    caseEntries: conn.model<CaseEntryDoc>('CaseEntry', caseEntry),
    caseEntryMarks: conn.model<ReadMarkDoc>('CaseEntryMark', caseEntryMark),
    calendarYears: conn.model<CalendarYearRecord>('CalendarYear', calendarYear),
    cannedReplies: conn.model<CannedReplyRecord>('CannedReply', cannedReply),
    appealGroups: conn.model<AppealGroupRecord>('AppealGroup', appealGroup),
  };
}

/** The models of one connection. */
export type Models = ReturnType<typeof defineModels>;
