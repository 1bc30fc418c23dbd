/**
 * The Russian working-day calendar: the shipped years against the Labour
 * Code's rules and the 2026 decree, term ends moved off non-working days,
 * working-day steps across the May holidays, and the admin input's checks.
 */
import { describe, expect, it } from 'vitest';
import { addDays, endOfMskDay, mskDateOf, mskMorningOf, weekdayOf } from '../../shared/calendar-dates.js';
import { calendarYearInputSchema } from '../../shared/schemas/calendar.schema.js';
import { SHIPPED_CALENDAR } from '../../server/domain/clocks/ru-calendar.data.js';
import { statutoryDays } from '../../server/domain/clocks/statutory.js';
import { WorkingCalendar } from '../../server/domain/clocks/working-calendar.js';

const shipped = (year: number) => SHIPPED_CALENDAR.find((y) => y.year === year)!;
const calendar = new WorkingCalendar(SHIPPED_CALENDAR);

describe('the shipped calendar', () => {
  it('is the Labour Code’s holidays and transfers plus, for 2026, the two transfers of decree № 1466 (3 Jan → 9 Jan, 4 Jan → 31 Dec)', () => {
    const decree = [
      { date: '2026-01-09', kind: 'day_off' },
      { date: '2026-12-31', kind: 'day_off' },
    ];
    const key = (d: { date: string; kind: string }) => `${d.date} ${d.kind}`;
    expect(shipped(2026).days.map(key).sort()).toEqual([...statutoryDays(2026), ...decree].map(key).sort());
    expect(shipped(2027).days.map(key)).toEqual(statutoryDays(2027).map(key));
    expect(shipped(2027).decree).toBeNull();
  });

  it('moves a holiday falling on a weekend to the next working day, except in January (ТК РФ ст. 112)', () => {
    const moved = (year: number) =>
      statutoryDays(year)
        .filter((d) => d.kind === 'day_off')
        .map((d) => d.date);
    // 2026: 8 March is a Sunday, 9 May a Saturday; 3–4 January fall on a weekend but are left to the decree.
    expect(moved(2026)).toEqual(['2026-03-09', '2026-05-11']);
    // 2027: 1 May a Saturday, 9 May a Sunday, 12 June a Saturday.
    expect(moved(2027)).toEqual(['2027-05-03', '2027-05-10', '2027-06-14']);
  });

  it('has the official number of working days: 247 in 2026', () => {
    expect(calendar.workingDaysIn(2026)).toBe(247);
  });

  it('knows the May 2026 days off: 1–3 and 9–11 May, the 11th by transfer', () => {
    const off = Array.from({ length: 14 }, (_, i) => addDays('2026-05-01', i)).filter((d) => !calendar.isWorkingDay(d));
    expect(off).toEqual(['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-09', '2026-05-10', '2026-05-11']);
  });

  it('runs a year it has no data for on the statutory rules', () => {
    const bare = new WorkingCalendar([]);
    expect(bare.isWorkingDay('2030-01-03')).toBe(false);
    expect(bare.isWorkingDay('2030-01-09')).toBe(true);
    // 9 May 2030 is a Thursday; 4 November 2029 a Sunday, so Monday 5 November is off.
    expect(bare.isWorkingDay('2030-05-09')).toBe(false);
    expect(bare.isWorkingDay('2029-11-05')).toBe(false);
  });
});

describe('term arithmetic', () => {
  it('ends a term on its day when that is a working day, else on the next working day', () => {
    expect(calendar.onOrAfter('2026-05-12')).toBe('2026-05-12');
    expect(calendar.onOrAfter('2026-05-09')).toBe('2026-05-12');
    expect(calendar.onOrAfter('2026-12-31')).toBe('2027-01-11');
  });

  it('steps back and forth in working days across the holidays', () => {
    expect(calendar.addWorkingDays('2026-05-12', -1)).toBe('2026-05-08');
    expect(calendar.addWorkingDays('2026-05-12', -5)).toBe('2026-05-04');
    expect(calendar.addWorkingDays('2026-04-30', 1)).toBe('2026-05-04');
    expect(calendar.workingDaysBetween('2026-05-04', '2026-05-12')).toBe(5);
    expect(calendar.workingDaysBetween('2026-05-13', '2026-05-12')).toBe(-1);
  });

  it('counts dates in Moscow time', () => {
    // 21:30 UTC on 11 May is already 12 May in Moscow.
    expect(mskDateOf(Date.parse('2026-05-11T21:30:00Z'))).toBe('2026-05-12');
    expect(endOfMskDay('2026-05-12')).toBe(Date.parse('2026-05-12T20:59:59.999Z'));
    expect(mskMorningOf('2026-05-04')).toBe(Date.parse('2026-05-04T06:00:00Z'));
    expect(weekdayOf('2026-05-09')).toBe(6);
  });
});

describe('an admin’s edit of a year', () => {
  const input = (days: unknown[]) => calendarYearInputSchema.safeParse({ year: 2027, decree: 'Постановление', days });

  it('takes days of that year, each once, with a note defaulting to empty', () => {
    const ok = input([{ date: '2027-01-11', kind: 'day_off' }]);
    expect(ok.success && ok.data.days).toEqual([{ date: '2027-01-11', kind: 'day_off', note: '' }]);
  });

  it('refuses a day of another year, a repeated day, a working weekday and a transfer onto a weekend, naming the field', () => {
    const fieldsOf = (days: unknown[]) => {
      const r = input(days);
      return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
    };
    expect(fieldsOf([{ date: '2026-05-04', kind: 'holiday' }])).toEqual({ 'days.0.date': 'дата не из 2027 года' });
    expect(
      fieldsOf([
        { date: '2027-05-03', kind: 'day_off' },
        { date: '2027-05-03', kind: 'holiday' },
      ]),
    ).toEqual({ 'days.1.date': 'этот день уже указан' });
    expect(fieldsOf([{ date: '2027-05-04', kind: 'workday' }])).toEqual({ 'days.0.date': 'рабочим можно сделать только субботу или воскресенье' });
    expect(fieldsOf([{ date: '2027-05-08', kind: 'day_off' }])).toEqual({ 'days.0.date': 'суббота и воскресенье и так выходные' });
    expect(fieldsOf([{ date: '2027-02-30', kind: 'holiday' }])).toEqual({ 'days.0.date': 'дата в формате ГГГГ-ММ-ДД' });
    expect(fieldsOf([{ date: '2027-03-01', kind: 'weekend' }])).toEqual({ 'days.0.kind': 'вид дня: holiday, day_off или workday' });
  });
});
