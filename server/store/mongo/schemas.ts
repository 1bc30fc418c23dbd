/**
 * Collections, schemas and indexes of the MongoDB adapter (docs/storage-mongo.md).
 *
 * Every schema keeps the record shape of records.ts (epoch-ms numbers, plain
 * strings) plus, on appeals only, three hidden fields the port never sees.
 * Options shared by all schemas:
 * - `strict`/`strictQuery: 'throw'`: a path that is not declared is an error,
 *   never silently dropped (a drift between records.ts and here shows at once);
 * - `minimize: false`: `{}` (an empty `extra` or `details`) is stored as `{}`,
 *   not removed, so records read back exactly as written;
 * - nullable fields are plain types: records always carry every field, and a
 *   String or Number path stores `null` as given;
 * - `versionKey: false`, `id: false`: no `__v`, no virtual `id` over our own;
 * - `writeConcern`: majority + journal (mongoose reads `w`/`j` from here for
 *   saves and query writes; the client default in mongo.store.ts covers the rest).
 */
import mongoose, { Schema } from 'mongoose';
import type { Connection, SchemaDefinition } from 'mongoose';
import type {
  AppealRecord,
  AttachmentRecord,
  AuditRecord,
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

/** Stored form of an appeal: the record plus the hidden bookkeeping fields. */
export interface AppealDoc extends AppealRecord {
  /** `deadlineAt ?? Number.MAX_SAFE_INTEGER`: ascending sort puts "no deadline" last. */
  deadlineSort: number;
  /** Seq of the newest status-history entry (bumped in the compare-and-set). */
  historySeq: number;
  /** The newest history entry, written atomically with the status change (see appeals.repo.ts). */
  lastHistory: StatusHistoryRecord | null;
}

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
 * Durable writes: acknowledged by a majority, in the journal (store.ts rule 1).
 * A driver WriteConcern, so it carries both spellings of the journal flag
 * (mongoose copies `j` from a schema option, the driver reads `journal`).
 */
export const DURABLE = new mongoose.mongo.WriteConcern('majority', undefined, true);

const Mixed = Schema.Types.Mixed;

function schema<T>(collection: string, def: SchemaDefinition<T>): Schema<T> {
  return new Schema<T>(def, {
    collection,
    strict: 'throw',
    strictQuery: 'throw',
    minimize: false,
    versionKey: false,
    id: false,
    autoIndex: true,
    writeConcern: DURABLE,
  });
}

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
  });
  user.index({ id: 1 }, { unique: true });
  user.index({ email: 1 }, { unique: true });
  user.index({ phone: 1 }, { unique: true });
  user.index({ role: 1, createdAt: 1 });
  user.index({ departmentId: 1, createdAt: 1 });

  const session = schema<SessionRecord>('sessions', {
    id: String,
    userId: String,
    csrfToken: String,
    createdAt: Number,
    expiresAt: Number,
  });
  session.index({ id: 1 }, { unique: true });
  session.index({ userId: 1 });

  const code = schema<CodeRecord>('codes', {
    id: String,
    userId: String,
    channel: String,
    purpose: String,
    codeHash: String,
    attempts: Number,
    expiresAt: Number,
    consumedAt: Number,
    createdAt: Number,
  });
  code.index({ id: 1 }, { unique: true });
  code.index({ userId: 1, channel: 1, createdAt: 1 });

  const department = schema<DepartmentRecord>('departments', {
    id: String,
    code: String,
    name: String,
    region: String,
    level: String,
  });
  department.index({ id: 1 }, { unique: true });
  department.index({ code: 1 }, { unique: true });

  const extraField = new Schema(
    { key: String, label: String, kind: String, required: Boolean },
    { _id: false, strict: 'throw', minimize: false, id: false },
  );
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
    version: Number,
    deadlineSort: Number,
    historySeq: Number,
    lastHistory: new Schema<StatusHistoryRecord>(historyEntry, { _id: false, strict: 'throw', minimize: false, id: false }),
  });
  appeal.index({ id: 1 }, { unique: true });
  // Unique among appeals that have a number; drafts (number null) are not indexed.
  appeal.index({ number: 1 }, { unique: true, partialFilterExpression: { number: { $type: 'string' } } });
  appeal.index({ citizenId: 1, createdAt: -1 });
  appeal.index({ departmentId: 1, status: 1, deadlineSort: 1 });
  appeal.index({ assigneeId: 1, status: 1 });
  appeal.index({ expertIds: 1 });
  appeal.index({ deadlineSort: 1, createdAt: 1 });
  appeal.index({ createdAt: -1 });

  const history = schema<StatusHistoryRecord>('status_history', historyEntry);
  history.index({ appealId: 1, seq: 1 }, { unique: true });

  const audit = schema<AuditRecord>('audit', {
    seq: Number,
    at: Number,
    actorId: String,
    action: String,
    subjectType: String,
    subjectId: String,
    details: Mixed,
    prevHash: String,
    hash: String,
  });
  audit.index({ seq: 1 }, { unique: true });

  const chat = schema<ChatMessageRecord>('chat_messages', {
    appealId: String,
    seq: Number,
    clientId: String,
    authorId: String,
    authorRole: String,
    text: String,
    internal: Boolean,
    at: Number,
  });
  chat.index({ appealId: 1, seq: 1 }, { unique: true });
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
  yjsVersion.index({ appealId: 1, at: -1 });

  const attachmentVersion = new Schema(
    { version: Number, blobId: String, size: Number, mime: String, fileName: String, uploadedBy: String, at: Number },
    { _id: false, strict: 'throw', minimize: false, id: false },
  );
  const attachment = schema<AttachmentRecord>('attachments', {
    id: String,
    appealId: String,
    currentVersion: Number,
    versions: [attachmentVersion],
    createdAt: Number,
  });
  attachment.index({ id: 1 }, { unique: true });
  attachment.index({ appealId: 1, createdAt: 1 });

  const counter = schema<CounterDoc>('counters', { name: String, value: Number });
  counter.index({ name: 1 }, { unique: true });

  return {
    users: conn.model<UserRecord>('User', user),
    sessions: conn.model<SessionRecord>('Session', session),
    codes: conn.model<CodeRecord>('Code', code),
    departments: conn.model<DepartmentRecord>('Department', department),
    categories: conn.model<CategoryRecord>('Category', category),
    appeals: conn.model<AppealDoc>('Appeal', appeal),
    history: conn.model<StatusHistoryRecord>('StatusHistory', history),
    audit: conn.model<AuditRecord>('Audit', audit),
    chat: conn.model<ChatMessageRecord>('ChatMessage', chat),
    readMarks: conn.model<ReadMarkDoc>('ChatReadMark', readMark),
    yjsUpdates: conn.model<YjsUpdateDoc>('YjsUpdate', yjsUpdate),
    yjsVersions: conn.model<YjsVersionDoc>('YjsVersion', yjsVersion),
    attachments: conn.model<AttachmentRecord>('Attachment', attachment),
    counters: conn.model<CounterDoc>('Counter', counter),
  };
}

/** The models of one connection. */
export type Models = ReturnType<typeof defineModels>;
