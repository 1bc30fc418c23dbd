/**
 * The access log of personal data (docs/privacy.md): every server reply that
 * gave a person's personal data to someone else writes one journal entry
 * `personal_data.read` — who (actorId), when (at), whose (subjectId), which
 * appeal, its department, the reader's role, the fields and the reply — in the
 * audit journal's one hash chain. The entry is appended before the reply goes
 * out. Reading it back: the person sees their own entries, a supervisor those
 * of their department's appeals, an admin all.
 */
import type { AccessLogDetails, AccessLogQuery } from '../../store/access-log.records.js';
import { PERSONAL_DATA_READ } from '../../store/access-log.records.js';
import type { AppealRecord, AuditRecord, Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import { forbidden } from '../errors.js';
import type { Viewer } from '../viewer.js';
import type { AccessLogQueryInput } from '../../../shared/schemas/privacy.schema.js';
import { isLoggedRead } from './personal-data.policy.js';

export { PERSONAL_DATA_READ };

/** Which reply carried the fields (AccessLogDetails.via). */
export type AccessVia = 'appeal' | 'case_entries' | 'case_pdf' | 'decision_pdf' | 'search';

/** Appends the entry for a read of `fields` of the appeal's citizen by `viewer`; nothing for one's own data or no fields. */
export async function logPersonalRead(audit: AuditService, viewer: Viewer, appeal: AppealRecord, fields: readonly string[], via: AccessVia): Promise<void> {
  if (!isLoggedRead(viewer, appeal, fields)) return;
  const details: AccessLogDetails = {
    appealId: appeal.id,
    appealNumber: appeal.number,
    departmentId: appeal.departmentId,
    role: viewer.role,
    fields: [...fields],
    via,
  };
  await audit.record({ actorId: viewer.id, action: PERSONAL_DATA_READ, subjectType: 'user', subjectId: appeal.citizenId, details: { ...details } });
}

/** One line of the access log as it is shown. */
export interface AccessLogEntryView {
  seq: number;
  at: number;
  actorId: string | null;
  actorName: string;
  role: string;
  subjectId: string | null;
  appealId: string;
  appealNumber: string | null;
  fields: string[];
  via: string;
}

export interface AccessLogPage {
  items: AccessLogEntryView[];
  /** Pass as `before` for the next (older) page; null when this is the last. */
  nextBefore: number | null;
}

const DAY = 24 * 60 * 60 * 1000;
const EMPTY: AccessLogPage = { items: [], nextBefore: null };

export class AccessLogService {
  constructor(private readonly d: { store: Store }) {}

  /** The reads of one's own personal data by others, newest first. */
  mine(viewer: Viewer, page: { before?: number; limit: number }): Promise<AccessLogPage> {
    return this.page({ subjectId: viewer.id, ...(page.before !== undefined ? { beforeSeq: page.before } : {}), limit: page.limit });
  }

  /**
   * A supervisor: the reads on their department's appeals; an admin: all
   * (narrowed to a department when asked). Filters: the appeal by number, the
   * person by e-mail or phone, the period by dates (UTC days, both included).
   * An appeal or a person that does not exist gives an empty page.
   */
  async department(viewer: Viewer, f: AccessLogQueryInput): Promise<AccessLogPage> {
    let departmentId: string | undefined;
    if (viewer.role === 'supervisor' && viewer.departmentId) departmentId = viewer.departmentId;
    else if (viewer.role === 'admin') departmentId = f.department;
    else throw forbidden('Журнал доступа ведомства видят руководители и администраторы');
    const q: AccessLogQuery = { limit: f.limit };
    if (departmentId !== undefined) q.departmentId = departmentId;
    if (f.appeal !== undefined) {
      const appeal = await this.d.store.appeals.getByNumber(f.appeal);
      if (!appeal) return EMPTY;
      q.appealId = appeal.id;
    }
    if (f.person !== undefined) {
      const person = await this.d.store.users.findByLogin(f.person);
      if (!person) return EMPTY;
      q.subjectId = person.id;
    }
    if (f.from !== undefined) q.from = Date.parse(`${f.from}T00:00:00Z`);
    if (f.to !== undefined) q.to = Date.parse(`${f.to}T00:00:00Z`) + DAY;
    if (f.before !== undefined) q.beforeSeq = f.before;
    return this.page(q);
  }

  private async page(q: AccessLogQuery): Promise<AccessLogPage> {
    // One more than asked: whether an older page exists.
    const rows = await this.d.store.audit.accessLog({ ...q, limit: q.limit + 1 });
    const shown = rows.slice(0, q.limit);
    const names = new Map<string, string>();
    for (const r of shown) {
      if (r.actorId && !names.has(r.actorId)) names.set(r.actorId, (await this.d.store.users.get(r.actorId))?.fullName ?? '');
    }
    return { items: shown.map((r) => viewOf(r, names)), nextBefore: rows.length > q.limit ? (shown.at(-1)?.seq ?? null) : null };
  }
}

function viewOf(r: AuditRecord, names: Map<string, string>): AccessLogEntryView {
  const d = r.details;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return {
    seq: r.seq,
    at: r.at,
    actorId: r.actorId,
    actorName: r.actorId ? (names.get(r.actorId) ?? '') : '',
    role: text(d.role),
    subjectId: r.subjectId,
    appealId: text(d.appealId),
    appealNumber: typeof d.appealNumber === 'string' ? d.appealNumber : null,
    fields: Array.isArray(d.fields) ? d.fields.map(text) : [],
    via: text(d.via),
  };
}
