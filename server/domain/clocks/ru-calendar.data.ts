/**
 * The working-day calendar the release ships for the current and the next
 * year, written into a fresh store at start (`CalendarService.seed`); admins
 * edit it afterwards (docs/notifications.md, "Clocks").
 *
 * Each year lists its exceptions to the Monday–Friday week: the public
 * holidays of ТК РФ ст. 112, the weekdays that a holiday falling on a weekend
 * moves the day off to (ст. 112 itself), and the transfers of the yearly
 * government decree.
 *
 * - 2026: Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе
 *   выходных дней в 2026 году»: Saturday 3 January → Friday 9 January, Sunday
 *   4 January → Thursday 31 December; by ст. 112, Sunday 8 March → Monday
 *   9 March and Saturday 9 May → Monday 11 May. No working Saturday.
 * - 2027: the holidays and ст. 112's own transfers (Saturday 1 May → Monday
 *   3 May, Sunday 9 May → Monday 10 May, Saturday 12 June → Monday 14 June).
 *   The decree for 2027, which moves the days off of Saturday 2 and Sunday 3
 *   January, was not published when this data was written: an admin enters
 *   its transfers and its name on the calendar screen.
 */
import type { CalendarDay } from '../../../shared/schemas/calendar.schema.js';

export interface ShippedYear {
  year: number;
  decree: string | null;
  days: readonly CalendarDay[];
}

const NEW_YEAR = 'Новогодние каникулы';

export const SHIPPED_CALENDAR: readonly ShippedYear[] = [
  {
    year: 2026,
    decree: 'Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней в 2026 году»',
    days: [
      { date: '2026-01-01', kind: 'holiday', note: NEW_YEAR },
      { date: '2026-01-02', kind: 'holiday', note: NEW_YEAR },
      { date: '2026-01-03', kind: 'holiday', note: NEW_YEAR },
      { date: '2026-01-04', kind: 'holiday', note: NEW_YEAR },
      { date: '2026-01-05', kind: 'holiday', note: NEW_YEAR },
      { date: '2026-01-06', kind: 'holiday', note: NEW_YEAR },
      { date: '2026-01-07', kind: 'holiday', note: 'Рождество Христово' },
      { date: '2026-01-08', kind: 'holiday', note: NEW_YEAR },
      { date: '2026-01-09', kind: 'day_off', note: 'Перенос выходного с 03.01 (постановление № 1466)' },
      { date: '2026-02-23', kind: 'holiday', note: 'День защитника Отечества' },
      { date: '2026-03-08', kind: 'holiday', note: 'Международный женский день' },
      { date: '2026-03-09', kind: 'day_off', note: 'Перенос выходного с 08.03 (ТК РФ ст. 112)' },
      { date: '2026-05-01', kind: 'holiday', note: 'Праздник Весны и Труда' },
      { date: '2026-05-09', kind: 'holiday', note: 'День Победы' },
      { date: '2026-05-11', kind: 'day_off', note: 'Перенос выходного с 09.05 (ТК РФ ст. 112)' },
      { date: '2026-06-12', kind: 'holiday', note: 'День России' },
      { date: '2026-11-04', kind: 'holiday', note: 'День народного единства' },
      { date: '2026-12-31', kind: 'day_off', note: 'Перенос выходного с 04.01 (постановление № 1466)' },
    ],
  },
  {
    year: 2027,
    decree: null,
    days: [
      { date: '2027-01-01', kind: 'holiday', note: NEW_YEAR },
      { date: '2027-01-02', kind: 'holiday', note: NEW_YEAR },
      { date: '2027-01-03', kind: 'holiday', note: NEW_YEAR },
      { date: '2027-01-04', kind: 'holiday', note: NEW_YEAR },
      { date: '2027-01-05', kind: 'holiday', note: NEW_YEAR },
      { date: '2027-01-06', kind: 'holiday', note: NEW_YEAR },
      { date: '2027-01-07', kind: 'holiday', note: 'Рождество Христово' },
      { date: '2027-01-08', kind: 'holiday', note: NEW_YEAR },
      { date: '2027-02-23', kind: 'holiday', note: 'День защитника Отечества' },
      { date: '2027-03-08', kind: 'holiday', note: 'Международный женский день' },
      { date: '2027-05-01', kind: 'holiday', note: 'Праздник Весны и Труда' },
      { date: '2027-05-03', kind: 'day_off', note: 'Перенос выходного с 01.05 (ТК РФ ст. 112)' },
      { date: '2027-05-09', kind: 'holiday', note: 'День Победы' },
      { date: '2027-05-10', kind: 'day_off', note: 'Перенос выходного с 09.05 (ТК РФ ст. 112)' },
      { date: '2027-06-12', kind: 'holiday', note: 'День России' },
      { date: '2027-06-14', kind: 'day_off', note: 'Перенос выходного с 12.06 (ТК РФ ст. 112)' },
      { date: '2027-11-04', kind: 'holiday', note: 'День народного единства' },
    ],
  },
];
