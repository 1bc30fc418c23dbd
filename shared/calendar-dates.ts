/**
 * Calendar dates as the law's clocks count them: `YYYY-MM-DD` strings in
 * Moscow time (UTC+3 all year since 2014), where a department's working day
 * begins and ends. Pure arithmetic, shared by the server (deadlines) and the
 * client (the calendar's admin screen).
 */

/** Moscow's offset from UTC. */
export const MSK_OFFSET_MS = 3 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The Moscow date of an instant. */
export function mskDateOf(at: number): string {
  return new Date(at + MSK_OFFSET_MS).toISOString().slice(0, 10);
}

/** The last millisecond of a Moscow date (a deadline "by the end of that day"). */
export function endOfMskDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - MSK_OFFSET_MS + DAY_MS - 1;
}

/** 09:00 Moscow time on a date: when reminders of that day go out. */
export function mskMorningOf(date: string): number {
  return Date.parse(`${date}T09:00:00Z`) - MSK_OFFSET_MS;
}

/** Days since 1970-01-01 (a date's ordinal, for differences). */
export function dayNumberOf(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** The date `days` after `date` (before it when negative). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export function isWeekend(date: string): boolean {
  const d = weekdayOf(date);
  return d === 0 || d === 6;
}

/** Whether `date` is a real calendar date in `YYYY-MM-DD` form (not 2026-02-30). */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const t = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date;
}
