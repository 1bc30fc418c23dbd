/**
 * Stored documents → records. Each mapper names every field of its record, so
 * what leaves the adapter is exactly the records.ts shape: no `_id`, no hidden
 * bookkeeping fields, fresh arrays and objects (reads return copies), bytes as
 * plain Uint8Array. Input is a `.lean()` result, already a private copy.
 */
import mongoose from 'mongoose';
import type {
  AppealRecord,
  AttachmentRecord,
  AttachmentVersion,
  AuditRecord,
  CalendarYearRecord,
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
import type { YjsUpdateDoc, YjsVersionDoc } from './schemas.js';

/** Lean reads return BSON Binary for Buffer paths (or a Buffer): either way, a copy as Uint8Array. */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof mongoose.mongo.Binary) return new Uint8Array(value.value());
  if (value instanceof Uint8Array) return new Uint8Array(value);
  throw new TypeError('stored bytes have an unexpected type');
}

/** Bytes for writing: a Buffer over a copy (mongoose casts Buffers, not every Uint8Array). */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

/**
 * The listed keys of a patch whose value is defined, so `$set` never sees an
 * undefined value, an immutable key or a name that is no field (the SQLite
 * adapter sets only its columns the same way).
 */
export function pick<T extends object>(patch: T, fields: readonly string[]): Partial<T> {
  const source = patch as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (Object.prototype.hasOwnProperty.call(source, f) && source[f] !== undefined) out[f] = source[f];
  }
  return out as Partial<T>;
}

/** Options of an ordered insertMany with a write concern (mongoose passes it on to the driver). */
export function orderedInsert(writeConcern: mongoose.mongo.WriteConcern): mongoose.InsertManyOptions {
  const options: mongoose.InsertManyOptions & { writeConcern: mongoose.mongo.WriteConcern } = { ordered: true, writeConcern };
  return options;
}

export const toUser = (d: UserRecord): UserRecord => ({
  id: d.id,
  email: d.email,
  phone: d.phone,
  passwordHash: d.passwordHash,
  fullName: d.fullName,
  role: d.role,
  departmentId: d.departmentId ?? null,
  birthDate: d.birthDate ?? null,
  inn: d.inn ?? null,
  address: d.address ?? null,
  emailConfirmed: d.emailConfirmed,
  phoneConfirmed: d.phoneConfirmed,
  locked: d.locked,
  expertsSeeContacts: d.expertsSeeContacts,
  createdAt: d.createdAt,
  consentVersion: d.consentVersion ?? null,
  consentAcceptedAt: d.consentAcceptedAt ?? null,
  lockedBy: d.lockedBy ?? null,
});

export const toSession = (d: SessionRecord): SessionRecord => ({
  id: d.id,
  userId: d.userId,
  csrfToken: d.csrfToken,
  createdAt: d.createdAt,
  expiresAt: d.expiresAt,
  userAgent: d.userAgent ?? null,
  ip: d.ip ?? null,
});

export const toCode = (d: CodeRecord): CodeRecord => ({
  id: d.id,
  userId: d.userId,
  channel: d.channel,
  purpose: d.purpose,
  codeHash: d.codeHash,
  attempts: d.attempts,
  expiresAt: d.expiresAt,
  consumedAt: d.consumedAt ?? null,
  createdAt: d.createdAt,
  target: d.target ?? null,
});

export const toDepartment = (d: DepartmentRecord): DepartmentRecord => ({
  id: d.id,
  code: d.code,
  name: d.name,
  region: d.region,
  level: d.level,
  // Stored before departments had parents: none.
  parentId: d.parentId ?? null,
});

export const toCategory = (d: CategoryRecord): CategoryRecord => ({
  id: d.id,
  code: d.code,
  name: d.name,
  departmentId: d.departmentId,
  deadlineDays: d.deadlineDays,
  requiredDocuments: [...d.requiredDocuments],
  extraFields: d.extraFields.map((f) => ({ key: f.key, label: f.label, kind: f.kind, required: f.required })),
  keywords: [...d.keywords],
  archived: d.archived,
});

/** Drafts are stored without `number` (schemas.ts): it reads back as null. */
export const toAppeal = (d: Omit<AppealRecord, 'number'> & { number?: string | null }): AppealRecord => ({
  id: d.id,
  number: d.number ?? null,
  citizenId: d.citizenId,
  categoryId: d.categoryId ?? null,
  departmentId: d.departmentId ?? null,
  type: d.type ?? null,
  subject: d.subject,
  description: d.description,
  details: d.details,
  applicant: d.applicant,
  extra: d.extra,
  region: d.region,
  priority: d.priority,
  status: d.status,
  deadlineAt: d.deadlineAt ?? null,
  assigneeId: d.assigneeId ?? null,
  expertIds: [...d.expertIds],
  resubmissionCount: d.resubmissionCount,
  accessCodeHash: d.accessCodeHash ?? null,
  repeatOfId: d.repeatOfId ?? null,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  submittedAt: d.submittedAt ?? null,
  statusChangedAt: d.statusChangedAt,
  clocks: d.clocks ?? null,
  // Whole copies: a record read is never the document the driver holds (appeals stored before them have none).
  decisions: structuredClone((d.decisions as AppealRecord['decisions'] | undefined) ?? []),
  feedback: d.feedback ? structuredClone(d.feedback) : null,
  // Appeals stored before links and kinds (link.records.ts) have none of these.
  complaint: d.complaint ? structuredClone(d.complaint) : null,
  suggestionMark: d.suggestionMark ?? null,
  escalation: d.escalation ? structuredClone(d.escalation) : null,
  escalations: structuredClone((d.escalations as AppealRecord['escalations'] | undefined) ?? []),
  readerDepartmentIds: [...((d.readerDepartmentIds as string[] | undefined) ?? [])],
  // Appeals stored before support conversations (docs/support.md) have no kind: they are appeals.
  kind: (d as Partial<Pick<AppealRecord, 'kind'>>).kind ?? 'appeal',
  // Appeals stored before the per-appeal choice (docs/privacy.md) have none: off.
  expertsSeeContacts: (d as Partial<Pick<AppealRecord, 'expertsSeeContacts'>>).expertsSeeContacts === true,
  version: d.version,
});

export const toHistory = (d: StatusHistoryRecord): StatusHistoryRecord => ({
  appealId: d.appealId,
  seq: d.seq,
  at: d.at,
  actorId: d.actorId ?? null,
  actorRole: d.actorRole,
  from: d.from,
  to: d.to,
  action: d.action,
  comment: d.comment ?? null,
});

export const toAudit = (d: AuditRecord): AuditRecord => ({
  seq: d.seq,
  at: d.at,
  actorId: d.actorId ?? null,
  action: d.action,
  subjectType: d.subjectType,
  subjectId: d.subjectId ?? null,
  details: d.details,
  prevHash: d.prevHash,
  hash: d.hash,
});

export const toChat = (d: ChatMessageRecord): ChatMessageRecord => ({
  appealId: d.appealId,
  seq: d.seq,
  clientId: d.clientId,
  authorId: d.authorId,
  authorRole: d.authorRole,
  text: d.text,
  internal: d.internal,
  at: d.at,
  // An edit entry (ChatMessageRecord.editOf); a plain message has neither field.
  ...(typeof d.editOf === 'number' ? { editOf: d.editOf, withdrawn: d.withdrawn === true } : {}),
});

export const toYjsUpdate = (d: YjsUpdateDoc): YjsUpdateRecord => ({
  appealId: d.appealId,
  seq: d.seq,
  update: toBytes(d.update),
  authorId: d.authorId ?? null,
  at: d.at,
});

export const toYjsVersion = (d: YjsVersionDoc): YjsVersionRecord => ({
  id: d.id,
  appealId: d.appealId,
  at: d.at,
  authorIds: [...d.authorIds],
  state: toBytes(d.state),
});

const toAttachmentVersion = (v: AttachmentVersion): AttachmentVersion => ({
  version: v.version,
  blobId: v.blobId,
  size: v.size,
  mime: v.mime,
  fileName: v.fileName,
  uploadedBy: v.uploadedBy,
  at: v.at,
  ...(typeof v.restoredFrom === 'number' ? { restoredFrom: v.restoredFrom } : {}),
});

export const toAttachment = (d: AttachmentRecord): AttachmentRecord => ({
  id: d.id,
  appealId: d.appealId,
  currentVersion: d.currentVersion,
  versions: d.versions.map(toAttachmentVersion),
  createdAt: d.createdAt,
});

export const toCalendarYear = (d: CalendarYearRecord): CalendarYearRecord => ({
  year: d.year,
  decree: d.decree ?? null,
  days: d.days.map((x) => ({ date: x.date, kind: x.kind, note: x.note })),
  updatedAt: d.updatedAt,
  updatedBy: d.updatedBy ?? null,
});
