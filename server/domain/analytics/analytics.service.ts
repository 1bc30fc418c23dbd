/**
 * Analytics for supervisors (their department) and admins (every department,
 * or one): the figures, the breakdown and the trend of a period, the backlog
 * now, and the appeals behind a figure, as a page or as CSV. The Store
 * computes every figure (analytics.port.ts); this service decides whose
 * figures a person may see and names what the store returns by id.
 * docs/analytics.md says what each figure means.
 */
import type { AnalyticsAppeal, AnalyticsAppealsQuery, AnalyticsQuery, AnalyticsReply } from '../../../shared/schemas/analytics.schema.js';
import { MAX_CSV_ROWS, moscowMidnight } from '../../../shared/schemas/analytics.schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AnalyticsFilter, AppealRecord, Store } from '../../store/store.js';
import { DomainError, forbidden } from '../errors.js';
import type { Viewer } from '../viewer.js';

const DAY = 24 * 60 * 60 * 1000;
/** Rows read from the store per step of a CSV export. */
const CSV_PAGE = 1000;

export interface AnalyticsDeps {
  store: Store;
  clock: Clock;
}

/** A CSV field: quoted when it holds a separator, a quote or a line break; formula-leading characters neutralised. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Moscow date `YYYY-MM-DD` of an instant. */
const day = (at: number | null): string => (at === null ? '' : new Date(at + 3 * 60 * 60 * 1000).toISOString().slice(0, 10));

export class AnalyticsService {
  constructor(private readonly d: AnalyticsDeps) {}

  /** The store's filter for the query and the viewer: a supervisor sees their department only. */
  private filterOf(viewer: Viewer, q: Pick<AnalyticsQuery, 'from' | 'to' | 'departmentId' | 'categoryId' | 'type' | 'region'>): AnalyticsFilter {
    let departmentId = q.departmentId;
    if (viewer.role === 'supervisor') {
      if (!viewer.departmentId) throw forbidden('Аналитика доступна руководителю ведомства');
      if (departmentId !== undefined && departmentId !== viewer.departmentId) throw forbidden('Руководителю доступна аналитика своего ведомства');
      departmentId = viewer.departmentId;
    } else if (viewer.role !== 'admin') {
      throw forbidden('Аналитика доступна руководителям и администраторам');
    }
    const filter: AnalyticsFilter = { from: moscowMidnight(q.from), to: moscowMidnight(q.to) + DAY };
    if (departmentId !== undefined) filter.departmentId = departmentId;
    if (q.categoryId !== undefined) filter.categoryId = q.categoryId;
    if (q.type !== undefined) filter.type = q.type;
    if (q.region !== undefined) filter.region = q.region;
    return filter;
  }

  async figures(viewer: Viewer, q: AnalyticsQuery): Promise<AnalyticsReply> {
    const f = this.filterOf(viewer, q);
    const { from: _from, to: _to, ...scope } = f;
    const [summary, rows, trend, backlog, departments, categories] = await Promise.all([
      this.d.store.analytics.summary(f),
      this.d.store.analytics.breakdown(f, q.groupBy),
      this.d.store.analytics.trend(f, q.unit),
      this.d.store.analytics.backlog(scope, this.d.clock.now()),
      this.d.store.catalogue.listDepartments(),
      this.d.store.catalogue.listCategories(),
    ]);
    const names = new Map<string, string>([...departments.map((x) => [x.id, x.name] as const), ...categories.map((x) => [x.id, x.name] as const)]);
    const labelOf = (key: string): string => {
      if (key === '') return '—';
      // Kinds are named by the client in its language; regions are codes.
      if (q.groupBy === 'type' || q.groupBy === 'region') return key;
      return names.get(key) ?? key;
    };
    return {
      period: { from: f.from, to: f.to },
      departmentId: f.departmentId ?? null,
      summary,
      breakdown: rows.map((r) => ({ ...r, label: labelOf(r.key) })),
      trend,
      backlog,
    };
  }

  /** A page of the appeals behind a figure. */
  async appeals(viewer: Viewer, q: AnalyticsAppealsQuery): Promise<{ items: AnalyticsAppeal[]; total: number }> {
    const f = this.filterOf(viewer, q);
    const page = await this.d.store.analytics.appeals(f, q.figure, this.d.clock.now(), { limit: q.limit, offset: q.offset });
    const categories = await this.categoryNames();
    return { items: page.items.map((a) => this.row(a, categories)), total: page.total };
  }

  /**
   * The appeals behind a figure as CSV (UTF-8 with a BOM, `;`-separated as
   * Excel reads it in a Russian locale), written page by page as it is read.
   * More than MAX_CSV_ROWS is refused before anything is written.
   */
  async *csv(viewer: Viewer, q: Omit<AnalyticsAppealsQuery, 'limit' | 'offset'>): AsyncGenerator<string> {
    const f = this.filterOf(viewer, q);
    const now = this.d.clock.now();
    const first = await this.d.store.analytics.appeals(f, q.figure, now, { limit: 0, offset: 0 });
    if (first.total > MAX_CSV_ROWS) {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `Выгрузка больше ${MAX_CSV_ROWS.toLocaleString('ru-RU')} строк (${first.total.toLocaleString('ru-RU')}): сузьте период или фильтры`,
      );
    }
    const categories = await this.categoryNames();
    yield '\uFEFF' + ['Номер', 'Тема', 'Статус', 'Вид', 'Категория', 'Регион', 'Поступило', 'Срок'].join(';') + '\r\n';
    for (let offset = 0; offset < first.total; offset += CSV_PAGE) {
      const page = await this.d.store.analytics.appeals(f, q.figure, now, { limit: CSV_PAGE, offset });
      let chunk = '';
      for (const a of page.items) {
        const r = this.row(a, categories);
        chunk += [r.number, r.subject, r.status, r.type ?? '', r.category, r.region, day(r.submittedAt), day(r.deadlineAt)].map(csvField).join(';') + '\r\n';
      }
      yield chunk;
      if (page.items.length < CSV_PAGE) break;
    }
  }

  private async categoryNames(): Promise<Map<string, string>> {
    return new Map((await this.d.store.catalogue.listCategories()).map((c) => [c.id, c.name]));
  }

  private row(a: AppealRecord, categories: Map<string, string>): AnalyticsAppeal {
    return {
      id: a.id,
      number: a.number,
      subject: a.subject,
      status: a.status,
      type: a.type,
      category: a.categoryId ? (categories.get(a.categoryId) ?? '') : '',
      region: a.region,
      submittedAt: a.submittedAt,
      deadlineAt: a.deadlineAt,
    };
  }
}
