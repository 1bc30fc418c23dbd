/**
 * The audit journal on screen (docs/oversight.md, "The audit journal"):
 * supervisors read the entries of their department's appeals, admins every
 * entry; both run the hash-chain check. An entry belongs to an appeal when its
 * subject is the appeal or its details name it (`appealId`), and to a
 * department through that appeal's current department; entries of no appeal
 * (sign-ins, the catalogue, users) are for admins only.
 */
import { MSK_OFFSET_MS } from '../../../shared/calendar-dates.js';
import type { AuditEntryView, AuditQueryInput, AuditVerifyResult } from '../../../shared/schemas/oversight.schema.js';
import type { AuditRecord, Page, Store } from '../../store/store.js';
import type { UserNames } from '../chat/user-names.js';
import { forbidden } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { verifyAuditChain, type AuditService } from './audit.service.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Fields whose values are user ids, shown by name. */
const PERSON_FIELDS: ReadonlySet<string> = new Set(['assigneeId', 'expertId']);
const VALUE_CHARS = 500;

/** The start of a Moscow calendar day (YYYY-MM-DD). */
const dayStart = (date: string): number => Date.parse(`${date}T00:00:00Z`) - MSK_OFFSET_MS;

const text = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > VALUE_CHARS ? `${s.slice(0, VALUE_CHARS)}…` : s;
};

/** An entry's details as changes: a status's from → to, an assignment's previous → new, `{ before, after }` pairs, else each value as it is. */
export function changesOf(details: Record<string, unknown>): AuditEntryView['changes'] {
  const out: AuditEntryView['changes'] = [];
  const rest = { ...details };
  if ('from' in rest && 'to' in rest) {
    out.push({ field: 'status', before: text(rest.from), after: text(rest.to) });
    delete rest.from;
    delete rest.to;
  }
  if ('previous' in rest && 'assigneeId' in rest) {
    out.push({ field: 'assigneeId', before: text(rest.previous), after: text(rest.assigneeId) });
    delete rest.previous;
    delete rest.assigneeId;
  }
  for (const [field, value] of Object.entries(rest)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'before' in value && 'after' in value) {
      out.push({ field, before: text(value.before), after: text(value.after) });
    } else {
      out.push({ field, before: null, after: text(value) });
    }
  }
  return out;
}

/** The appeal an entry belongs to: the same rule as the stores' filter (oversight.port.ts). */
export function appealIdOf(e: Pick<AuditRecord, 'subjectType' | 'subjectId' | 'details'>): string | null {
  if (e.subjectType === 'appeal') return e.subjectId;
  const id = e.details.appealId;
  return typeof id === 'string' ? id : null;
}

const REASONS: readonly [RegExp, Extract<AuditVerifyResult, { ok: false }>['reason']][] = [
  [/missing/, 'missing'],
  [/prevHash/, 'link'],
];

export class AuditViewService {
  constructor(
    private readonly d: {
      store: Store;
      audit: AuditService;
      names: UserNames;
    },
  ) {}

  private scope(viewer: Viewer): { departmentId?: string } {
    if (viewer.role === 'admin') return {};
    if (viewer.role === 'supervisor' && viewer.departmentId !== null) return { departmentId: viewer.departmentId };
    throw forbidden('Журнал аудита доступен руководителям и администраторам');
  }

  async list(viewer: Viewer, q: AuditQueryInput): Promise<Page<AuditEntryView>> {
    const scope = this.scope(viewer);
    const empty: Page<AuditEntryView> = { items: [], total: 0 };
    let appealId: string | undefined;
    if (q.appeal !== undefined) {
      const appeal = await this.d.store.appeals.getByNumber(q.appeal);
      // Another department's appeal is as unknown as a number never given.
      if (!appeal || (scope.departmentId !== undefined && appeal.departmentId !== scope.departmentId)) return empty;
      appealId = appeal.id;
    }
    let personId: string | undefined;
    if (q.person !== undefined) {
      const login = q.person.includes('@') ? q.person.toLowerCase() : q.person.replace(/[\s()-]/g, '');
      const user = (await this.d.store.users.findByLogin(login)) ?? (await this.d.store.users.get(q.person));
      if (!user) return empty;
      personId = user.id;
    }
    const page = await this.d.store.audit.query({
      ...scope,
      ...(appealId !== undefined ? { appealId } : {}),
      ...(personId !== undefined ? { personId } : {}),
      ...(q.action !== undefined ? { action: q.action } : {}),
      ...(q.from !== undefined ? { from: dayStart(q.from) } : {}),
      ...(q.to !== undefined ? { to: dayStart(q.to) + DAY_MS } : {}),
      limit: q.limit,
      offset: q.offset,
    });
    const numbers = new Map<string, string | null>();
    const items: AuditEntryView[] = [];
    for (const e of page.items) {
      const id = appealIdOf(e);
      if (id !== null && !numbers.has(id)) numbers.set(id, (await this.d.store.appeals.get(id))?.number ?? null);
      items.push({
        seq: e.seq,
        at: e.at,
        actorId: e.actorId,
        actorName: e.actorId === null ? null : (await this.d.names.nameOf(e.actorId)) || null,
        action: e.action,
        subjectType: e.subjectType,
        subjectId: e.subjectId,
        appeal: id === null ? null : { id, number: numbers.get(id) ?? null },
        changes: await this.named(changesOf(e.details)),
      });
    }
    return { items, total: page.total };
  }

  /** The people a change names (an assignee, an expert) by their names; an unknown id stays as it is. */
  private async named(changes: AuditEntryView['changes']): Promise<AuditEntryView['changes']> {
    const name = async (v: string | null): Promise<string | null> => (v === null ? null : (await this.d.names.nameOf(v)) || v);
    const out: AuditEntryView['changes'] = [];
    for (const c of changes) out.push(PERSON_FIELDS.has(c.field) ? { ...c, before: await name(c.before), after: await name(c.after) } : c);
    return out;
  }

  /** Walks the whole chain; the check itself is journalled. */
  async verify(viewer: Viewer): Promise<AuditVerifyResult> {
    this.scope(viewer);
    const r = await verifyAuditChain((afterSeq, limit) => this.d.store.audit.list(afterSeq, limit));
    const result: AuditVerifyResult = r.ok ? r : { ok: false, seq: r.seq, reason: REASONS.find(([re]) => re.test(r.reason))?.[1] ?? 'content' };
    await this.d.audit.record({
      actorId: viewer.id,
      action: 'audit.verified',
      subjectType: 'audit',
      subjectId: null,
      details: result.ok ? { ok: true, count: result.count } : { ok: false, seq: result.seq, reason: result.reason },
    });
    return result;
  }
}
