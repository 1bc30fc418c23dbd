/**
 * The public holidays of the Labour Code (ТК РФ ст. 112) and the transfers it
 * makes by itself: a holiday that falls on a Saturday or Sunday moves that day
 * off to the next working day after it — except the January holidays, whose
 * transfers only the government's yearly decree makes. A year with no
 * calendar data runs on this (the calendar's `statutory` source).
 */
import { addDays, isWeekend } from '../../../shared/calendar-dates.js';
import type { CalendarDay } from '../../../shared/schemas/calendar.schema.js';

/** Month-day of each public holiday with its name. */
export const PUBLIC_HOLIDAYS: readonly { md: string; note: string; january: boolean }[] = [
  ...[1, 2, 3, 4, 5, 6, 8].map((d) => ({ md: `01-0${d}`, note: 'Новогодние каникулы', january: true })),
  { md: '01-07', note: 'Рождество Христово', january: true },
  { md: '02-23', note: 'День защитника Отечества', january: false },
  { md: '03-08', note: 'Международный женский день', january: false },
  { md: '05-01', note: 'Праздник Весны и Труда', january: false },
  { md: '05-09', note: 'День Победы', january: false },
  { md: '06-12', note: 'День России', january: false },
  { md: '11-04', note: 'День народного единства', january: false },
];

const short = (date: string): string => `${date.slice(8, 10)}.${date.slice(5, 7)}`;

/** The year's holidays and the Labour Code's own transfers, sorted by date. */
export function statutoryDays(year: number): CalendarDay[] {
  const holidays = PUBLIC_HOLIDAYS.map((h) => ({ date: `${year}-${h.md}`, kind: 'holiday' as const, note: h.note, january: h.january })).sort((a, b) =>
    a.date.localeCompare(b.date),
  );
  const taken = new Set(holidays.map((h) => h.date));
  const days: CalendarDay[] = holidays.map(({ date, kind, note }) => ({ date, kind, note }));
  for (const h of holidays) {
    if (h.january || !isWeekend(h.date)) continue;
    // The next working day after the holiday: not a weekend, not a holiday, not a day already moved.
    let d = addDays(h.date, 1);
    while (isWeekend(d) || taken.has(d)) d = addDays(d, 1);
    if (!d.startsWith(`${year}-`)) continue;
    taken.add(d);
    days.push({ date: d, kind: 'day_off', note: `Перенос выходного с ${short(h.date)} (ТК РФ ст. 112)` });
  }
  return days.sort((a, b) => a.date.localeCompare(b.date));
}
