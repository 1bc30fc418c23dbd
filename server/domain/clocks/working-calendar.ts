/**
 * Which dates are working days, and term arithmetic over them. Built from the
 * calendar's years (stored or shipped); a year it has no data for runs on the
 * Labour Code's own rules (statutory.ts). Pure and synchronous: the clocks are
 * computed on every view of an appeal.
 */
import { addDays, isWeekend } from '../../../shared/calendar-dates.js';
import type { CalendarDay, CalendarDayKind } from '../../../shared/schemas/calendar.schema.js';
import { statutoryDays } from './statutory.js';

/** No term runs further than this many days (a guard against a calendar with no working day at all). */
const MAX_SCAN_DAYS = 3 * 366;

export class WorkingCalendar {
  /** year → date → its exception. */
  private readonly years = new Map<number, Map<string, CalendarDayKind>>();

  /** `years`: the days of each year with data; other years are statutory. */
  constructor(years: Iterable<{ year: number; days: readonly CalendarDay[] }> = []) {
    for (const y of years) this.years.set(y.year, new Map(y.days.map((d) => [d.date, d.kind])));
  }

  isWorkingDay(date: string): boolean {
    const kind = this.exceptionsOf(Number(date.slice(0, 4))).get(date);
    if (kind === 'workday') return true;
    if (kind === 'holiday' || kind === 'day_off') return false;
    return !isWeekend(date);
  }

  /** `date` when it is a working day, else the next working day after it (ГК РФ ст. 193). */
  onOrAfter(date: string): string {
    let d = date;
    for (let i = 0; i < MAX_SCAN_DAYS && !this.isWorkingDay(d); i++) d = addDays(d, 1);
    return d;
  }

  /**
   * The working day `n` working days after `date` (before it when `n` is
   * negative); `date` itself is not counted. `addWorkingDays(due, -5)` is the
   * day on which 5 working days are left until `due`.
   */
  addWorkingDays(date: string, n: number): string {
    const step = n < 0 ? -1 : 1;
    let d = date;
    let left = Math.abs(n);
    for (let i = 0; left > 0 && i < MAX_SCAN_DAYS; i++) {
      d = addDays(d, step);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** Working days after `from` up to and including `to`; negative (those after `to` up to `from`) when `to` is earlier. */
  workingDaysBetween(from: string, to: string): number {
    if (to < from) return -this.workingDaysBetween(to, from);
    let n = 0;
    for (let d = addDays(from, 1), i = 0; d <= to && i < MAX_SCAN_DAYS; d = addDays(d, 1), i++) if (this.isWorkingDay(d)) n++;
    return n;
  }

  /** Working days in a year. */
  workingDaysIn(year: number): number {
    return this.workingDaysBetween(`${year - 1}-12-31`, `${year}-12-31`);
  }

  private exceptionsOf(year: number): Map<string, CalendarDayKind> {
    let days = this.years.get(year);
    if (!days) {
      days = new Map(statutoryDays(year).map((d) => [d.date, d.kind]));
      this.years.set(year, days);
    }
    return days;
  }
}
