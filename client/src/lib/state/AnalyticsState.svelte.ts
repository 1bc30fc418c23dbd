/**
 * The analytics page (docs/analytics.md): the filter as typed, the figures of
 * the last applied one, and the page of appeals behind a figure. The filter
 * is kept in the URL's query so that a drill-down link carries it.
 */
import { api } from '../api';
import type { AnalyticsAppeal, AnalyticsReply } from '../../../../shared/schemas/analytics.schema';
import { Task } from './Task.svelte';

export interface AnalyticsFilterInput {
  from: string;
  to: string;
  departmentId: string;
  categoryId: string;
  type: string;
  region: string;
  groupBy: 'department' | 'category' | 'type' | 'region';
  unit: 'week' | 'month';
}

type Query = Record<string, string>;

/** Today and a year before it, as `YYYY-MM-DD` (Moscow). */
function defaultPeriod(now = Date.now()): { from: string; to: string } {
  const today = new Date(now + 3 * 60 * 60 * 1000);
  const from = new Date(today);
  from.setUTCFullYear(from.getUTCFullYear() - 1);
  from.setUTCDate(from.getUTCDate() + 1);
  return { from: from.toISOString().slice(0, 10), to: today.toISOString().slice(0, 10) };
}

const FIELDS = ['from', 'to', 'departmentId', 'categoryId', 'type', 'region'] as const;

/** The filter read from a URL query (missing parts defaulted). */
export function filterFromQuery(q: URLSearchParams): AnalyticsFilterInput {
  const period = defaultPeriod();
  const groupBy = q.get('groupBy');
  const unit = q.get('unit');
  return {
    from: q.get('from') ?? period.from,
    to: q.get('to') ?? period.to,
    departmentId: q.get('departmentId') ?? '',
    categoryId: q.get('categoryId') ?? '',
    type: q.get('type') ?? '',
    region: q.get('region') ?? '',
    groupBy: groupBy === 'department' || groupBy === 'type' || groupBy === 'region' ? groupBy : 'category',
    unit: unit === 'week' ? 'week' : 'month',
  };
}

/** The filter's non-empty parts as a query (what the API and the URL take). */
export function queryOf(f: AnalyticsFilterInput, withView = true): Query {
  const q: Query = {};
  for (const k of FIELDS) if (f[k].trim()) q[k] = f[k].trim();
  if (withView) {
    q.groupBy = f.groupBy;
    q.unit = f.unit;
  }
  return q;
}

export class AnalyticsState {
  readonly task = new Task();
  filter = $state<AnalyticsFilterInput>(filterFromQuery(new URLSearchParams()));
  #data = $state.raw<AnalyticsReply | null>(null);

  get data(): AnalyticsReply | null {
    return this.#data;
  }

  load(): Promise<boolean> {
    const query = queryOf(this.filter);
    return this.task.run(async () => {
      // The schema's enums are checked by the server; the query is passed as typed.
      this.#data = await api('analytics.get', { query: query as never });
    });
  }
}

const PAGE = 50;

export class DrillDownState {
  readonly task = new Task();
  #items = $state.raw<AnalyticsAppeal[]>([]);
  #total = $state(0);
  #loaded = $state(false);

  constructor(readonly query: Query) {}

  get items(): AnalyticsAppeal[] {
    return this.#items;
  }
  get total(): number {
    return this.#total;
  }
  get isLoaded(): boolean {
    return this.#loaded;
  }
  get hasMore(): boolean {
    return this.#items.length < this.#total;
  }

  load(): Promise<boolean> {
    return this.task.run(async () => {
      const page = await api('analytics.appeals', { query: { ...this.query, limit: PAGE, offset: 0 } as never });
      this.#items = page.items;
      this.#total = page.total;
      this.#loaded = true;
    });
  }

  more(): Promise<boolean> {
    return this.task.run(async () => {
      const page = await api('analytics.appeals', { query: { ...this.query, limit: PAGE, offset: this.#items.length } as never });
      this.#items = [...this.#items, ...page.items];
      this.#total = page.total;
    });
  }
}
