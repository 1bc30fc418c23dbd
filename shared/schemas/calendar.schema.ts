/**
 * The working-day calendar (docs/api-case.md, "Clocks"): one year is
 * the list of its exceptions to the Monday–Friday week.
 */
import { z } from 'zod';
import { isCalendarDate, isWeekend } from '../calendar-dates.js';

/**
 * - `holiday`: a public holiday (нерабочий праздничный день, ТК РФ ст. 112), on any day of the week;
 * - `day_off`: a weekday made a day off by a transfer (a holiday that fell on a weekend, or the yearly decree);
 * - `workday`: a Saturday or Sunday made a working day by the decree.
 */
export const CALENDAR_DAY_KINDS = ['holiday', 'day_off', 'workday'] as const;
export type CalendarDayKind = (typeof CALENDAR_DAY_KINDS)[number];

/** Years the calendar may hold. */
export const CALENDAR_YEARS = { min: 2000, max: 2100 } as const;

export const calendarDaySchema = z.object({
  date: z.string().refine(isCalendarDate, 'дата в формате ГГГГ-ММ-ДД'),
  kind: z.enum(CALENDAR_DAY_KINDS, 'вид дня: holiday, day_off или workday'),
  note: z.string().trim().max(200, 'не длиннее 200 символов').default(''),
});
export type CalendarDay = z.infer<typeof calendarDaySchema>;

const yearSchema = z.number('год числом').int('год числом').min(CALENDAR_YEARS.min, 'год от 2000').max(CALENDAR_YEARS.max, 'год до 2100');

/** An admin's edit of one year: every exception of it, replacing the stored ones. */
export const calendarYearInputSchema = z
  .object({
    year: yearSchema,
    /** The decree on transfers the days follow, or null while none is entered. */
    decree: z.string().trim().max(300, 'не длиннее 300 символов').nullable().default(null),
    days: z.array(calendarDaySchema).max(366, 'не больше 366 дней'),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.days.forEach((d, i) => {
      const at = ['days', i, 'date'];
      if (!d.date.startsWith(`${input.year}-`)) ctx.addIssue({ code: 'custom', path: at, message: `дата не из ${input.year} года` });
      else if (seen.has(d.date)) ctx.addIssue({ code: 'custom', path: at, message: 'этот день уже указан' });
      else if (d.kind === 'workday' && !isWeekend(d.date))
        ctx.addIssue({ code: 'custom', path: at, message: 'рабочим можно сделать только субботу или воскресенье' });
      else if (d.kind === 'day_off' && isWeekend(d.date)) ctx.addIssue({ code: 'custom', path: at, message: 'суббота и воскресенье и так выходные' });
      seen.add(d.date);
    });
  });
export type CalendarYearInput = z.infer<typeof calendarYearInputSchema>;

export const calendarQuerySchema = z.object({ year: z.coerce.number().pipe(yearSchema) });

/**
 * A year as the clocks use it. `source`: `shipped` (the data the release
 * carries), `edited` (an admin saved it), `statutory` (no data for the year:
 * the public holidays and the Labour Code's own transfers, without a decree).
 */
export const calendarYearSchema = z.object({
  year: z.number(),
  decree: z.string().nullable(),
  days: z.array(z.object({ date: z.string(), kind: z.enum(CALENDAR_DAY_KINDS), note: z.string() })),
  source: z.enum(['shipped', 'edited', 'statutory']),
  updatedAt: z.number().nullable(),
  updatedByName: z.string().nullable(),
  /** Working days in the year by these days. */
  workingDays: z.number(),
});
export type CalendarYear = z.infer<typeof calendarYearSchema>;

export const calendarReplySchema = z.object({
  calendar: calendarYearSchema,
  /** Years with stored data, ascending. */
  years: z.array(z.number()),
});
