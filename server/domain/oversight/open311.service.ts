/**
 * Open311 GeoReport v2, read-only (docs/oversight.md, "Open311"): the
 * categories as services, their fields as attributes, and the appeals whose
 * citizens allowed publication as service requests. What goes out is public
 * by construction: the appeal's number, category, subject line, status and
 * times, the department — never the citizen, the description's free text,
 * the address, files or chat (a citizen's own words may name them).
 */
import { z } from 'zod';
import { STATUS_LABELS_RU, type Status } from '../../../shared/status-machine.js';
import type { AppealRecord, CategoryRecord, Store } from '../../store/store.js';

/** An Open311 refusal: the HTTP status and the `[{ code, description }]` body. */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    /** Seconds to wait, for 429. */
    readonly retryAfter?: number,
  ) {
    super(description);
    this.name = 'Open311Error';
  }
}

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
}

export interface Open311Attribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime';
  required: boolean;
  datatype_description: string;
  order: number;
  description: string;
}

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime?: string;
}

const CLOSED: readonly Status[] = ['completed', 'rejected'];
const OPEN: readonly Status[] = ['registered', 'in_progress', 'info_requested', 'awaiting_confirmation'];
/** The most requests one reply lists (the spec lets the server choose; its default window is 90 days). */
export const OPEN311_MAX_REQUESTS = 200;
const DEFAULT_WINDOW_MS = 90 * 24 * 3600 * 1000;

const list = (s: string | undefined): string[] | undefined =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');

/** A w3c date-time (2026-01-31T09:00:00Z, or with an offset), or a refusal naming the parameter. */
const dateTime = z.iso.datetime({ offset: true });

function parseDate(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!dateTime.safeParse(value).success) throw new Open311Error(400, `${name}: дата и время в формате W3C (ISO 8601), например 2026-01-31T09:00:00Z`);
  return Date.parse(value);
}

/** The query string's parameters (strings only; repeated ones refused). */
export type Open311Query = Record<string, unknown>;

function param(q: Open311Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 2000) throw new Open311Error(400, `${name}: одно значение-строка`);
  return v;
}

const iso = (at: number): string => new Date(at).toISOString();

export class Open311 {
  constructor(private readonly d: { store: Store; clock: { now(): number } }) {}

  private async categories(): Promise<CategoryRecord[]> {
    return (await this.d.store.catalogue.listCategories()).filter((c) => !c.archived);
  }

  async services(): Promise<Open311Service[]> {
    const deps = new Map((await this.d.store.catalogue.listDepartments()).map((d) => [d.id, d.name]));
    return (await this.categories()).map((c) => ({
      service_code: c.code,
      service_name: c.name,
      description: c.requiredDocuments.length > 0 ? `Документы: ${c.requiredDocuments.join('; ')}` : c.name,
      metadata: c.extraFields.length > 0,
      type: 'realtime',
      keywords: c.keywords.join(','),
      group: deps.get(c.departmentId) ?? '',
    }));
  }

  async serviceDefinition(code: string): Promise<{ service_code: string; attributes: Open311Attribute[] }> {
    const cat = (await this.categories()).find((c) => c.code === code);
    if (!cat) throw new Open311Error(404, `Неизвестный service_code: ${code.slice(0, 100)}`);
    return {
      service_code: cat.code,
      attributes: cat.extraFields.map((f, i) => ({
        variable: true,
        code: f.key,
        datatype: f.kind === 'date' ? 'datetime' : f.kind === 'number' ? 'number' : 'string',
        required: f.required,
        datatype_description: f.kind === 'date' ? 'дата ГГГГ-ММ-ДД' : '',
        order: i + 1,
        description: f.label,
      })),
    };
  }

  async requests(q: Open311Query): Promise<Open311Request[]> {
    const ids = list(param(q, 'service_request_id'));
    const codes = list(param(q, 'service_code'));
    const statuses = list(param(q, 'status'));
    const start = parseDate('start_date', param(q, 'start_date'));
    const end = parseDate('end_date', param(q, 'end_date'));
    if (start !== undefined && end !== undefined && start > end) throw new Open311Error(400, 'start_date позже, чем end_date');
    const cats = await this.categories();
    let categoryIds: string[] | undefined;
    if (codes !== undefined) {
      const unknown = codes.filter((c) => !cats.some((x) => x.code === c));
      if (unknown.length > 0) throw new Open311Error(400, `Неизвестный service_code: ${unknown.join(', ').slice(0, 200)}`);
      categoryIds = cats.filter((c) => codes.includes(c.code)).map((c) => c.id);
    }
    let local: Status[] | undefined;
    if (statuses !== undefined) {
      const bad = statuses.filter((s) => s !== 'open' && s !== 'closed');
      if (bad.length > 0) throw new Open311Error(400, 'status: open или closed');
      local = [...(statuses.includes('open') ? OPEN : []), ...(statuses.includes('closed') ? CLOSED : [])];
    }
    let appealIds: string[] | undefined;
    if (ids !== undefined) {
      appealIds = [];
      for (const n of ids.slice(0, OPEN311_MAX_REQUESTS)) {
        const a = /^\d{2}-\d{4}-\d{6}$/.test(n) ? await this.d.store.appeals.getByNumber(n) : null;
        if (a) appealIds.push(a.id);
      }
    }
    // The spec's default window: the last 90 days, unless ids or dates are asked for.
    const from = start ?? (ids === undefined && end === undefined ? this.d.clock.now() - DEFAULT_WINDOW_MS : undefined);
    const found = await this.d.store.oversight.publicAppealIds({
      ...(appealIds !== undefined ? { ids: appealIds } : {}),
      ...(categoryIds !== undefined ? { categoryIds } : {}),
      ...(local !== undefined ? { statuses: local } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(end !== undefined ? { to: end + 1 } : {}),
      limit: OPEN311_MAX_REQUESTS,
    });
    return this.shape(found, cats);
  }

  /** One request by its number (`requests/{id}.json`); a missing or unpublished one is not found. */
  async request(number: string): Promise<Open311Request[]> {
    const appeal = /^\d{2}-\d{4}-\d{6}$/.test(number) ? await this.d.store.appeals.getByNumber(number) : null;
    const found = appeal ? await this.d.store.oversight.publicAppealIds({ ids: [appeal.id], limit: 1 }) : [];
    if (found.length === 0) throw new Open311Error(404, 'Нет такого опубликованного обращения');
    return this.shape(found, await this.categories());
  }

  private async shape(ids: string[], cats: CategoryRecord[]): Promise<Open311Request[]> {
    const byId = new Map(cats.map((c) => [c.id, c]));
    const deps = new Map((await this.d.store.catalogue.listDepartments()).map((d) => [d.id, d.name]));
    const out: Open311Request[] = [];
    for (const id of ids) {
      const a = await this.d.store.appeals.get(id);
      if (a) out.push(toRequest(a, byId, deps));
    }
    return out;
  }
}

/** The public face of an appeal: only these fields, never the record. */
function toRequest(a: AppealRecord, cats: Map<string, CategoryRecord>, deps: Map<string, string>): Open311Request {
  const cat = a.categoryId === null ? undefined : cats.get(a.categoryId);
  return {
    service_request_id: a.number ?? a.id,
    status: CLOSED.includes(a.status) ? 'closed' : 'open',
    status_notes: STATUS_LABELS_RU[a.status],
    service_name: cat?.name ?? '',
    service_code: cat?.code ?? '',
    description: a.subject,
    agency_responsible: a.departmentId === null ? '' : (deps.get(a.departmentId) ?? ''),
    requested_datetime: iso(a.submittedAt ?? a.createdAt),
    updated_datetime: iso(a.updatedAt),
    ...(a.deadlineAt !== null && !CLOSED.includes(a.status) ? { expected_datetime: iso(a.deadlineAt) } : {}),
  };
}
