/**
 * The storage port. Domain services depend on this interface only; an adapter
 * (sqlite/ or mongo/) is chosen once at boot. Every behaviour here is pinned by
 * the contract suite in test/contract/, which runs against each adapter.
 *
 * Rules every adapter keeps:
 * - A write's promise resolves at its durability level (`Durability` below).
 *   Every write is `disk` — acknowledged after it would survive a power cut —
 *   except the two that take `WriteOptions` and pass `process`: a chat message
 *   and a Yjs update, acknowledged once they would survive a crash of the
 *   server process, and on disk within a bounded time after
 *   (docs/architecture.md, "Durability", says what each loss can cost).
 * - Unique violations throw `StoreError` with code `duplicate` and the field.
 * - Reads return copies; mutating a returned record never changes the store.
 */
import type { CannedReplyRepo } from './canned.records.js';
import type { AppealGroupRepo } from './group.records.js';
import type { AppealType, Priority } from '../../shared/schemas/appeal.schema.js';
import type { ReviewState, Role, Status } from '../../shared/status-machine.js';
import type { AppealKind } from '../../shared/support.js';
import type {
  AppealRecord,
  AttachmentRecord,
  AttachmentVersion,
  AuditRecord,
  CalendarYearRecord,
  CaseEntryRecord,
  CategoryRecord,
  ChatMessageRecord,
  CodeRecord,
  DepartmentRecord,
  SessionRecord,
  StatusHistoryRecord,
  UserRecord,
  YjsUpdateRecord,
} from './records.js';
import type { AuditDraft } from './audit-chain.js';
import type { AccessLogQuery } from './access-log.records.js';
import type { AnalyticsRepo } from './analytics.port.js';
import type { JobRepo } from './jobs.port.js';
import type { NotificationRepo } from './notifications.port.js';
import type { PersonalDataRepo } from './personal-data.port.js';
import type { AuditQuery, OversightRepo } from './oversight.port.js';
import type { SearchRepo } from './search.port.js';

export type * from './records.js';
export type * from './analytics.port.js';
export type * from './jobs.port.js';
export type * from './notifications.port.js';
export type * from './personal-data.port.js';
export type * from './oversight.port.js';
export type * from './search.port.js';
export type { AuditDraft } from './audit-chain.js';

/**
 * The largest Yjs update or version state a store keeps in one piece: MongoDB
 * holds a document of at most 16 MiB, and the record around the bytes needs
 * room. Both adapters refuse more with `StoreError('too_large')`.
 */
export const MAX_STORED_BYTES = 15 * 1024 * 1024;

/** Errors an adapter may raise; the domain maps them to error codes in one place. */
export class StoreError extends Error {
  constructor(
    readonly code: 'duplicate' | 'not_found' | 'too_large',
    readonly field?: string,
  ) {
    super(field ? `${code}: ${field}` : code);
    this.name = 'StoreError';
  }
}

/**
 * Opening a store was refused for a reason the operator must act on (another
 * server holds the SQLite data directory, say); the message says what to do.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface UserRepo {
  create(user: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | null>;
  /** By e-mail (lower-cased) or phone (+7…). */
  findByLogin(login: string): Promise<UserRecord | null>;
  update(id: string, patch: Partial<Omit<UserRecord, 'id' | 'createdAt'>>): Promise<UserRecord | null>;
  /** `search`: users whose name or e-mail contains it, in any case (Unicode case folding, so Cyrillic too). */
  list(filter: { role?: Role; departmentId?: string; search?: string; limit: number; offset: number }): Promise<Page<UserRecord>>;
  count(): Promise<number>;
}

export interface SessionRepo {
  create(session: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | null>;
  /** Extends the expiry (sliding sessions). */
  touch(id: string, expiresAt: number): Promise<void>;
  delete(id: string): Promise<void>;
  /** Removes every session of a user; returns their ids (to disconnect sockets). */
  deleteForUser(userId: string): Promise<string[]>;
  /** Every stored session of a user (expired ones too), oldest first. */
  listForUser(userId: string): Promise<SessionRecord[]>;
}

export interface CodeRepo {
  create(code: CodeRecord): Promise<void>;
  get(id: string): Promise<CodeRecord | null>;
  /** Adds one failed attempt and returns the new count. */
  addAttempt(id: string): Promise<number>;
  /** Marks the code used; false if it was already used (single use under races). */
  consume(id: string, at: number): Promise<boolean>;
  /** Codes sent to a user on a channel since `since` (send limits). */
  countSince(userId: string, channel: CodeRecord['channel'], since: number): Promise<number>;
}

export interface CatalogueRepo {
  createDepartment(dep: DepartmentRecord): Promise<void>;
  updateDepartment(id: string, patch: Partial<Omit<DepartmentRecord, 'id'>>): Promise<DepartmentRecord | null>;
  getDepartment(id: string): Promise<DepartmentRecord | null>;
  listDepartments(): Promise<DepartmentRecord[]>;
  createCategory(cat: CategoryRecord): Promise<void>;
  updateCategory(id: string, patch: Partial<Omit<CategoryRecord, 'id'>>): Promise<CategoryRecord | null>;
  getCategory(id: string): Promise<CategoryRecord | null>;
  listCategories(): Promise<CategoryRecord[]>;
}

export interface AppealFilter {
  citizenId?: string;
  departmentId?: string;
  /** Appeals the expert was invited to. */
  expertId?: string;
  status?: Status;
  /** Exclude drafts (queues never show them). */
  excludeDrafts?: boolean;
  categoryId?: string;
  priority?: Priority;
  /** Only appeals whose deadline is before this instant and which are not completed or rejected. */
  overdueAt?: number;
  /** A user id, or null for unassigned. */
  assigneeId?: string | null;
  /** Only appeals whose room is open (`isOpen`: not a draft, not completed, not rejected): the wall's rows. */
  openOnly?: boolean;
  /** Only appeals whose rating's review is in one of these states (the supervisors' reviews). */
  reviewStates?: readonly ReviewState[];
  /** Only appeals of this kind (complaint, suggestion…: the queue's filter by kind). */
  type?: AppealType;
  /** Only the repeats of this appeal (the other side of `repeatOfId`). */
  repeatOfId?: string;
  /** Only appeals of this record kind (the support queue: `support`). */
  kind?: AppealKind;
  sort: 'deadline' | 'created';
  limit: number;
  offset: number;
}

export type AppealPatch = Partial<Omit<AppealRecord, 'id' | 'citizenId' | 'createdAt' | 'version'>>;

export interface AppealRepo {
  /** With `audit`, its journal entry is appended as with `transition`. */
  create(appeal: AppealRecord, audit?: AuditDraft): Promise<void>;
  get(id: string): Promise<AppealRecord | null>;
  getByNumber(number: string): Promise<AppealRecord | null>;
  /**
   * Applies `patch` if the stored version equals `expectedVersion`, bumping the
   * version; null when someone else wrote first (or the appeal is gone). With
   * `audit`, its journal entry is appended as with `transition`.
   */
  update(id: string, expectedVersion: number, patch: AppealPatch, audit?: AuditDraft): Promise<AppealRecord | null>;
  /**
   * A status change: the same compare-and-set as `update`, and the history entry
   * appended with the next per-appeal seq. Both or neither are stored. With
   * `audit`, its journal entry is appended too — in the same transaction on
   * SQLite; on MongoDB (no multi-document transactions) right after the change
   * is committed, never when the compare-and-set lost.
   */
  transition(
    id: string,
    expectedVersion: number,
    patch: AppealPatch,
    entry: Omit<StatusHistoryRecord, 'seq' | 'appealId'>,
    audit?: AuditDraft,
  ): Promise<{ appeal: AppealRecord; entry: StatusHistoryRecord } | null>;
  list(filter: AppealFilter): Promise<Page<AppealRecord>>;
  /**
   * Creates `created` and applies `patch` to appeal `id` by the same
   * compare-and-set as `update`: both or neither (an escalation: the appeal in
   * the higher department and the original's link to it). Null, and nothing
   * stored, when the original moved on. With `audit`, its journal entry is
   * appended as with `update`. SQLite: one transaction. MongoDB: the new
   * appeal rides in the original's document (`pendingCreates`) in the
   * compare-and-set that is the commit point, is inserted right after, and
   * an insert a crash cut off is made by the sweep at open.
   */
  createLinked(created: AppealRecord, id: string, expectedVersion: number, patch: AppealPatch, audit?: AuditDraft): Promise<AppealRecord | null>;
  history(appealId: string, afterSeq?: number): Promise<StatusHistoryRecord[]>;
}

export interface AuditRepo {
  /**
   * Appends one entry, sealed on top of the last one with `sealAuditEntry`
   * (audit-chain.ts). The adapter guarantees no other append runs between reading
   * the last entry and writing the new one, so the hash chain has no forks. Plain
   * data in, so that the call can cross a thread or a network.
   */
  append(draft: AuditDraft): Promise<AuditRecord>;
  /** The access log's entries (action `personal_data.read`, access-log.records.ts), newest first, indexed by person and by department. */
  accessLog(query: AccessLogQuery): Promise<AuditRecord[]>;
  /** Entries with seq > afterSeq, in order. */
  list(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** The entries matching the filter, newest first (the journal on screen; oversight.port.ts). */
  query(filter: AuditQuery): Promise<Page<AuditRecord>>;
}

export interface ChatQuery {
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
  includeInternal: boolean;
}

/**
 * When a write's promise may resolve — the two durability levels of the port:
 * - `disk` (the default), **acknowledged after fsync**: the write would survive
 *   a power cut. SQLite: committed and the WAL fdatasynced; MongoDB: write
 *   concern majority with journal.
 * - `process`, **in the kernel at once, fsynced within a bounded time**: the
 *   write is visible to every read and survives a crash of the server process,
 *   and reaches the disk within `PROCESS_DURABILITY_BOUND_MS`. SQLite:
 *   committed, the fdatasync following within 50 ms (the group commit's late
 *   sync); MongoDB: acknowledged by a majority without waiting for the
 *   journal, which the server commits within its own interval (100 ms by
 *   default).
 */
export type Durability = 'disk' | 'process';

/** The longest a `process` write of SQLite stays off the disk (the group commit's late sync). */
export const PROCESS_DURABILITY_BOUND_MS = 50;

/** Taken by the writes that may choose `process`; without it a write is `disk`. */
export interface WriteOptions {
  durability?: Durability;
}

export interface ChatRepo {
  /**
   * Stores a message with the room's next seq. A second call with the same
   * (appealId, clientId) stores nothing and returns the first record with created=false.
   */
  append(msg: Omit<ChatMessageRecord, 'seq'>, options?: WriteOptions): Promise<{ message: ChatMessageRecord; created: boolean }>;
  /** Ascending by seq; with beforeSeq, the newest `limit` before it (still ascending). */
  list(appealId: string, query: ChatQuery): Promise<ChatMessageRecord[]>;
  /**
   * The messages with these seqs and every edit entry of them (`editOf` among
   * the seqs), ascending by seq; internal ones only with `includeInternal`.
   */
  related(appealId: string, seqs: readonly number[], includeInternal: boolean): Promise<ChatMessageRecord[]>;
  setReadMark(appealId: string, userId: string, seq: number): Promise<void>;
  readMarks(appealId: string): Promise<Record<string, number>>;
}

export interface YjsVersionRecord {
  id: string;
  appealId: string;
  at: number;
  authorIds: string[];
  /** The whole document at that moment, as one update. */
  state: Uint8Array;
}

/** Updates, merged logs and version states above MAX_STORED_BYTES are refused (`too_large`), nothing written. */
export interface YjsRepo {
  /** Appends an update; returns its seq. */
  append(appealId: string, update: Uint8Array, authorId: string | null, at: number, options?: WriteOptions): Promise<number>;
  load(appealId: string): Promise<YjsUpdateRecord[]>;
  /** Replaces every update with seq ≤ upToSeq by `merged` stored at seq upToSeq. */
  compact(appealId: string, upToSeq: number, merged: Uint8Array): Promise<void>;
  saveVersion(version: YjsVersionRecord): Promise<void>;
  /** Newest first, without `state`. */
  listVersions(appealId: string): Promise<Omit<YjsVersionRecord, 'state'>[]>;
  getVersion(appealId: string, id: string): Promise<YjsVersionRecord | null>;
}

/**
 * Attachments. Each change takes its journal entry (`audit`): appended in the
 * same transaction on SQLite; on MongoDB right after the change, never when it
 * did not happen (null).
 */
export interface AttachmentRepo {
  create(att: AttachmentRecord, audit?: AuditDraft): Promise<void>;
  get(id: string): Promise<AttachmentRecord | null>;
  list(appealId: string): Promise<AttachmentRecord[]>;
  /** Appends a version and makes it current; null (nothing changed) when the attachment is unknown or already has that version number. */
  addVersion(id: string, version: AttachmentVersion, audit?: AuditDraft): Promise<AttachmentRecord | null>;
  setCurrent(id: string, version: number, audit?: AuditDraft): Promise<AttachmentRecord | null>;
}

/**
 * The case's entries beside its status history (supplements, corrections),
 * and how far each person has seen them.
 */
export interface CaseEntryRepo {
  /**
   * Stores the entry with the appeal's next seq (1, 2, 3…, no gaps) and
   * returns it. With `audit`, its journal entry is appended as with an
   * attachment: in the same transaction on SQLite; on MongoDB right after.
   */
  append(entry: Omit<CaseEntryRecord, 'seq'>, audit?: AuditDraft): Promise<CaseEntryRecord>;
  /** The appeal's entries with seq > afterSeq (all by default), ascending. */
  list(appealId: string, afterSeq?: number): Promise<CaseEntryRecord[]>;
  /** The highest seq this person has seen in this appeal; 0 when none. */
  seenMark(appealId: string, userId: string): Promise<number>;
  /** Moves the person's mark forward to `seq`; a lower or equal seq changes nothing. */
  markSeen(appealId: string, userId: string, seq: number): Promise<void>;
}

/** The working-day calendar, one record per year. */
export interface CalendarRepo {
  get(year: number): Promise<CalendarYearRecord | null>;
  /** Every stored year, ascending. */
  list(): Promise<CalendarYearRecord[]>;
  /** Stores the year, replacing the one stored. */
  put(record: CalendarYearRecord): Promise<void>;
}

export interface CounterRepo {
  /** Atomically increments the named counter and returns the new value (1 first). */
  next(name: string): Promise<number>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongo';
  readonly users: UserRepo;
  readonly sessions: SessionRepo;
  readonly codes: CodeRepo;
  readonly catalogue: CatalogueRepo;
  readonly appeals: AppealRepo;
  readonly audit: AuditRepo;
  readonly chat: ChatRepo;
  readonly yjs: YjsRepo;
  readonly attachments: AttachmentRepo;
  readonly counters: CounterRepo;
  /** Timed jobs and deliveries, leased by compare-and-set (jobs.port.ts). */
  readonly jobs: JobRepo;
  /** Each person's notification journal, settings and push subscriptions (notifications.port.ts). */
  readonly notifications: NotificationRepo;
  /** Data exports, and a deleted account's erasure and pseudonymisation (personal-data.port.ts). */
  readonly personalData: PersonalDataRepo;
  readonly caseEntries: CaseEntryRepo;
  readonly calendar: CalendarRepo;
  /** Canned replies of each department (canned.records.ts). */
  readonly cannedReplies: CannedReplyRepo;
  /** Groups of linked appeals (group.records.ts). */
  readonly appealGroups: AppealGroupRepo;
  /** Figures for supervisors and admins, computed by the store (analytics.port.ts). */
  readonly analytics: AnalyticsRepo;
  /** Open311 keys and publication consents, webhooks and their deliveries (oversight.port.ts). */
  readonly oversight: OversightRepo;
  /** Search across appeals: the index the domain keeps and the ranked query (search.port.ts). */
  readonly search: SearchRepo;
  /** Flushes pending writes and closes the connection. */
  close(): Promise<void>;
}

/** Content-addressed file storage (disk under DATA_DIR, or GridFS). */
export interface BlobStore {
  /** Stores the bytes; the id is their sha256, so equal files are stored once. */
  put(data: Uint8Array): Promise<{ id: string; size: number }>;
  get(id: string): Promise<Uint8Array | null>;
  has(id: string): Promise<boolean>;
  /** Removes the blob; true when it was there. The caller checks first that nothing references it (`personalData.blobReferenced`). */
  delete(id: string): Promise<boolean>;
  /** Releases a connection of its own, if it has one (GridFS). */
  close?(): Promise<void>;
}
