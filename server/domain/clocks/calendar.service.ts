/**
 * The working-day calendar the clocks run on: the shipped years written into
 * a fresh store at start, admins' edits, and the `WorkingCalendar` every
 * clock computation reads (kept in memory, read again when any instance
 * saves a year: `calendar.changed` on the bus).
 */
import type { CalendarYear, CalendarYearInput } from '../../../shared/schemas/calendar.schema.js';
import type { Clock } from '../../lib/clock.js';
import type { CalendarYearRecord, Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import { forbidden } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Viewer } from '../viewer.js';
import { SHIPPED_CALENDAR } from './ru-calendar.data.js';
import { statutoryDays } from './statutory.js';
import { WorkingCalendar } from './working-calendar.js';

/** Where the clocks read the calendar from. */
export interface CalendarSource {
  current(): WorkingCalendar;
}

/** The shipped years alone: for services built without a store-backed calendar (unit tests). */
export const shippedCalendar: CalendarSource = (() => {
  const calendar = new WorkingCalendar(SHIPPED_CALENDAR);
  return { current: () => calendar };
})();

export interface CalendarDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  bus: EventBus;
  logger?: { error(message: string, fields?: Record<string, unknown>): void };
}

export class CalendarService implements CalendarSource {
  private calendar = new WorkingCalendar(SHIPPED_CALENDAR);
  private readonly unsubscribe: () => void;

  constructor(private readonly d: CalendarDeps) {
    // A year saved on any instance: every instance reads the calendar again.
    this.unsubscribe = d.bus.subscribe((event) => {
      if (event.type !== 'calendar.changed') return;
      this.reload().catch((error: unknown) => {
        d.logger?.error('calendar not reloaded', { error: String(error) });
      });
    });
  }

  current(): WorkingCalendar {
    return this.calendar;
  }

  /** Writes each shipped year the store does not have yet, then reads the calendar. */
  async seed(): Promise<void> {
    for (const y of SHIPPED_CALENDAR) {
      if (await this.d.store.calendar.get(y.year)) continue;
      await this.d.store.calendar.put({ year: y.year, decree: y.decree, days: y.days.map((x) => ({ ...x })), updatedAt: this.d.clock.now(), updatedBy: null });
    }
    await this.reload();
  }

  async reload(): Promise<void> {
    this.calendar = new WorkingCalendar(await this.d.store.calendar.list());
  }

  /** Admin: one year as the clocks use it, and the years with data. */
  async get(viewer: Viewer, year: number): Promise<{ calendar: CalendarYear; years: number[] }> {
    requireAdmin(viewer);
    const stored = await this.d.store.calendar.list();
    return { calendar: await this.viewOf(stored.find((y) => y.year === year) ?? null, year), years: stored.map((y) => y.year) };
  }

  /**
   * Admin: replaces one year's exceptions (validated by the input schema:
   * dates of that year, each once, working days only on weekends, transfers
   * only on weekdays). Journalled; every instance reads the calendar again.
   * The open appeals' deadlines follow through `ClockService.recalculate`.
   */
  async save(viewer: Viewer, input: CalendarYearInput): Promise<{ calendar: CalendarYear; years: number[] }> {
    requireAdmin(viewer);
    const days = [...input.days].sort((a, b) => a.date.localeCompare(b.date)).map((x) => ({ date: x.date, kind: x.kind, note: x.note }));
    const record: CalendarYearRecord = { year: input.year, decree: input.decree, days, updatedAt: this.d.clock.now(), updatedBy: viewer.id };
    await this.d.store.calendar.put(record);
    await this.d.audit.record({
      actorId: viewer.id,
      action: 'calendar.updated',
      subjectType: 'calendar',
      subjectId: null,
      details: { year: input.year, days: days.length, decree: input.decree !== null },
    });
    await this.reload();
    this.d.bus.publish({ type: 'calendar.changed', year: input.year });
    return this.get(viewer, input.year);
  }

  close(): void {
    this.unsubscribe();
  }

  private async viewOf(record: CalendarYearRecord | null, year: number): Promise<CalendarYear> {
    const workingDays = this.calendar.workingDaysIn(year);
    if (!record) return { year, decree: null, days: statutoryDays(year), source: 'statutory', updatedAt: null, updatedByName: null, workingDays };
    const by = record.updatedBy ? await this.d.store.users.get(record.updatedBy) : null;
    return {
      year,
      decree: record.decree,
      days: record.days.map((x) => ({ ...x })),
      source: record.updatedBy === null ? 'shipped' : 'edited',
      updatedAt: record.updatedAt,
      updatedByName: by?.fullName ?? null,
      workingDays,
    };
  }
}

function requireAdmin(viewer: Viewer): void {
  if (viewer.role !== 'admin') throw forbidden('Календарь рабочих дней правит администратор');
}
