/** The working-day calendar on MongoDB: one document per year, replaced whole by `put`. */
import type { CalendarRepo, CalendarYearRecord } from '../store.js';
import { toCalendarYear } from './convert.js';
import { isDuplicateKey } from './errors.js';
import type { Models } from './schemas.js';
import type { InFlight } from './sequence.js';
import { num } from './sequence.js';

export function calendarRepo(m: Models, inFlight: InFlight): CalendarRepo {
  return {
    async get(year) {
      const d = await m.calendarYears
        .findOne({ year: num(year) })
        .lean<CalendarYearRecord>()
        .exec();
      return d ? toCalendarYear(d) : null;
    },
    async list() {
      const docs = await m.calendarYears.find({}).sort({ year: 1 }).lean<CalendarYearRecord[]>().exec();
      return docs.map(toCalendarYear);
    },
    async put(record) {
      const { year, ...fields } = toCalendarYear(record);
      // The year comes from the filter when the upsert inserts; every other field is set whole.
      const write = () => m.calendarYears.updateOne({ year: num(year) }, { $set: fields }, { upsert: true }).exec();
      await inFlight.track(async () => {
        try {
          await write();
        } catch (error) {
          // Two first saves of a year raced on the unique index: the loser replaces the winner's.
          if (!isDuplicateKey(error)) throw error;
          await write();
        }
      });
    },
  };
}
