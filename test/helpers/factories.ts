/**
 * Record factories: full, valid records with random ids and unique contact data,
 * at fixed times (T0 and later) so tests never depend on the wall clock. Pass
 * overrides for what a test cares about.
 */
import { INITIAL_CONSENT } from '../../server/domain/accounts/consent.js';
import { randomInt } from 'node:crypto';
import { newId, sha256 } from '../../server/lib/ids.js';
import type { AuditDraft } from '../../server/store/audit-chain.js';
import type {
  AppealRecord,
  AttachmentRecord,
  AttachmentVersion,
  CaseEntryRecord,
  CategoryRecord,
  ChatMessageRecord,
  CodeRecord,
  DepartmentRecord,
  SessionRecord,
  StatusHistoryRecord,
  UserRecord,
} from '../../server/store/store.js';

/** A fixed instant: 2026-03-02 09:00 UTC (ManualClock starts here too). */
export const T0 = Date.parse('2026-03-02T09:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A short random token for unique codes, e-mails and names. */
export function uniq(): string {
  return newId()
    .replace(/[^a-zA-Z0-9]/g, '')
    .slice(0, 10)
    .toLowerCase();
}

/** A random normalised Russian mobile number (+79XXXXXXXXX). */
export function randomPhone(): string {
  return `+79${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

export function makeUser(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: newId(),
    email: `user-${uniq()}@example.ru`,
    phone: randomPhone(),
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
    fullName: 'Иванов Иван Иванович',
    role: 'citizen',
    departmentId: null,
    birthDate: '1985-04-12',
    inn: '500100732259',
    address: 'г. Москва, ул. Тверская, д. 1',
    emailConfirmed: true,
    phoneConfirmed: true,
    locked: false,
    expertsSeeContacts: false,
    createdAt: T0,
    consentVersion: INITIAL_CONSENT.version,
    consentAcceptedAt: T0,
    lockedBy: null,
    ...overrides,
  };
}

export function makeSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: sha256(newId()),
    userId: newId(),
    csrfToken: newId(),
    createdAt: T0,
    expiresAt: T0 + 12 * HOUR,
    userAgent: null,
    ip: null,
    ...overrides,
  };
}

export function makeCode(overrides: Partial<CodeRecord> = {}): CodeRecord {
  const id = overrides.id ?? newId();
  return {
    id,
    userId: newId(),
    channel: 'email',
    purpose: 'confirm_contact',
    codeHash: sha256(`${id}123456`),
    attempts: 0,
    expiresAt: T0 + 10 * MINUTE,
    consumedAt: null,
    createdAt: T0,
    target: null,
    ...overrides,
  };
}

export function makeDepartment(overrides: Partial<DepartmentRecord> = {}): DepartmentRecord {
  return {
    id: newId(),
    code: `dep-${uniq()}`,
    name: 'Департамент транспорта',
    region: '77',
    level: 'regional',
    parentId: null,
    ...overrides,
  };
}

export function makeCategory(overrides: Partial<CategoryRecord> = {}): CategoryRecord {
  return {
    id: newId(),
    code: `cat-${uniq()}`,
    name: 'Парковки',
    departmentId: newId(),
    deadlineDays: 30,
    requiredDocuments: ['Паспорт'],
    extraFields: [{ key: 'plate', label: 'Госномер', kind: 'text', required: true }],
    keywords: ['парковка', 'штраф'],
    archived: false,
    ...overrides,
  };
}

export function makeAppeal(overrides: Partial<AppealRecord> = {}): AppealRecord {
  return {
    id: newId(),
    number: null,
    citizenId: newId(),
    categoryId: newId(),
    departmentId: newId(),
    type: 'complaint',
    subject: 'Не работает оплата парковки',
    description: 'Платёж списан, парковка не оплачена.',
    details: { service: 'Оплата парковки', happenedOn: '2026-02-28' },
    applicant: { kind: 'individual' },
    extra: { plate: 'А123ВС77' },
    region: '77',
    priority: 'normal',
    status: 'draft',
    deadlineAt: null,
    assigneeId: null,
    expertIds: [],
    resubmissionCount: 0,
    accessCodeHash: null,
    repeatOfId: null,
    createdAt: T0,
    updatedAt: T0,
    submittedAt: null,
    statusChangedAt: T0,
    clocks: null,
    decisions: [],
    feedback: null,
    complaint: null,
    suggestionMark: null,
    escalation: null,
    escalations: [],
    readerDepartmentIds: [],
    kind: 'appeal',
    expertsSeeContacts: false,
    version: 1,
    ...overrides,
  };
}

/** A submitted appeal: registered, numbered, with a deadline 30 days on. */
export function makeRegisteredAppeal(overrides: Partial<AppealRecord> = {}): AppealRecord {
  const createdAt = overrides.createdAt ?? T0;
  return makeAppeal({
    number: `RR-2026-${String(randomInt(0, 1_000_000)).padStart(6, '0')}`,
    status: 'registered',
    submittedAt: createdAt,
    deadlineAt: createdAt + 30 * DAY,
    accessCodeHash: sha256(uniq()),
    createdAt,
    updatedAt: createdAt,
    statusChangedAt: createdAt,
    ...overrides,
  });
}

/** A history entry as passed to `appeals.transition` (no appealId, no seq). */
export function makeHistoryEntry(overrides: Partial<Omit<StatusHistoryRecord, 'seq' | 'appealId'>> = {}): Omit<StatusHistoryRecord, 'seq' | 'appealId'> {
  return {
    at: T0 + MINUTE,
    actorId: newId(),
    actorRole: 'citizen',
    from: 'draft',
    to: 'registered',
    action: 'submit',
    comment: null,
    ...overrides,
  };
}

/** A chat message as passed to `chat.append` (no seq). */
export function makeChatMessage(overrides: Partial<Omit<ChatMessageRecord, 'seq'>> = {}): Omit<ChatMessageRecord, 'seq'> {
  return {
    appealId: newId(),
    clientId: newId(),
    authorId: newId(),
    authorRole: 'citizen',
    text: 'Здравствуйте! Есть новости?',
    internal: false,
    at: T0,
    ...overrides,
  };
}

export function makeAttachmentVersion(overrides: Partial<AttachmentVersion> = {}): AttachmentVersion {
  return {
    version: 1,
    blobId: sha256(uniq()),
    size: 1024,
    mime: 'application/pdf',
    fileName: 'scan.pdf',
    uploadedBy: newId(),
    at: T0,
    ...overrides,
  };
}

export function makeAttachment(overrides: Partial<AttachmentRecord> = {}): AttachmentRecord {
  return {
    id: newId(),
    appealId: newId(),
    currentVersion: 1,
    versions: [makeAttachmentVersion()],
    createdAt: T0,
    ...overrides,
  };
}

/** An audit draft for `audit.append`; the store numbers, links and hashes it. */
export function makeAuditDraft(fields: Partial<AuditDraft> = {}): AuditDraft {
  return { at: T0, actorId: null, action: 'test.action', subjectType: 'appeal', subjectId: null, details: {}, ...fields };
}

/** A case entry for `caseEntries.append` (a supplement unless overridden); the store gives its seq. */
export function makeCaseEntry(overrides: Partial<Omit<CaseEntryRecord, 'seq'>> = {}): Omit<CaseEntryRecord, 'seq'> {
  return {
    id: newId(),
    appealId: newId(),
    kind: 'supplement',
    at: T0,
    authorId: newId(),
    text: 'Прикладываю квитанцию за март.',
    attachmentIds: [],
    changes: [],
    ...overrides,
  };
}
