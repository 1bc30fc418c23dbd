/** The working-day calendar on SQLite: one row per year. */
import type { CalendarRepo, CalendarYearRecord } from '../store.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const years = new Table<CalendarYearRecord>('calendar_years', {
  year: 'int',
  decree: 'text',
  days: 'json',
  updatedAt: 'int',
  updatedBy: 'text',
});

export function sqliteCalendar(ctx: SqliteContext): CalendarRepo {
  return {
    get: (year) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM calendar_years WHERE year = ?', year);
        return row ? years.decode(row) : null;
      }),
    list: () => ctx.read(() => ctx.all('SELECT * FROM calendar_years ORDER BY year').map((r) => years.decode(r))),
    put: (record) =>
      ctx.write(() => {
        ctx.run(years.insertSql().replace(/^INSERT/, 'INSERT OR REPLACE'), years.params(record));
      }),
  };
}
