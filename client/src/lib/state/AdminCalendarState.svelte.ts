/**
 * Admin: the working-day calendar, one year at a time — its public holidays,
 * transferred days off and working weekends, and the decree they follow.
 * Saving replaces the year's days; the server recomputes the open appeals' terms.
 */
import { calendarYearInputSchema, type CalendarDayKind, type CalendarYear } from '../../../../shared/schemas/calendar.schema';
import { api, isApiError } from '../api';
import { t } from '../i18n/i18n.svelte';
import { serverFieldErrors, validate, type FieldErrors } from '../validation';
import { Task } from './Task.svelte';

export interface DayRow {
  /** Stable key for the list while dates are edited. */
  key: number;
  date: string;
  kind: CalendarDayKind;
  note: string;
}

export class AdminCalendarState {
  readonly #task = new Task();
  #calendar = $state.raw<CalendarYear | null>(null);
  #years = $state.raw<number[]>([]);
  #errors = $state<FieldErrors>({});
  #message = $state('');
  #nextKey = 0;
  year = $state(String(new Date().getFullYear()));
  decree = $state('');
  days = $state<DayRow[]>([]);

  get calendar(): CalendarYear | null {
    return this.#calendar;
  }

  /** The years to choose from: this one, the next, and every stored one. */
  get yearOptions(): number[] {
    const now = new Date().getFullYear();
    return [...new Set([now, now + 1, ...this.#years])].sort((a, b) => a - b);
  }

  get errors(): FieldErrors {
    return this.#errors;
  }

  get error(): string {
    return this.#task.error;
  }

  get message(): string {
    return this.#message;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  async load(): Promise<void> {
    this.#message = '';
    this.#errors = {};
    await this.#task.run(async () => {
      this.#show(await api('admin.calendar.get', { query: { year: Number(this.year) } }));
    });
  }

  addDay(): void {
    this.days.push({ key: this.#nextKey++, date: `${this.year}-`, kind: 'holiday', note: '' });
  }

  removeDay(index: number): void {
    this.days.splice(index, 1);
  }

  async save(): Promise<boolean> {
    this.#message = '';
    const input = {
      year: Number(this.year),
      decree: this.decree.trim() === '' ? null : this.decree.trim(),
      days: this.days.map((d) => ({ date: d.date, kind: d.kind, note: d.note })),
    };
    const checked = validate(calendarYearInputSchema, input);
    if (!checked.ok) {
      this.#errors = checked.errors;
      return false;
    }
    this.#errors = {};
    const ok = await this.#task.run(
      async () => {
        this.#show(await api('admin.calendar.put', { body: checked.data }));
      },
      (e) => {
        if (!isApiError(e, 'VALIDATION_FAILED')) return false;
        this.#errors = serverFieldErrors(e);
        return true;
      },
    );
    if (ok) this.#message = t('calendar.saved');
    return ok;
  }

  #show(reply: { calendar: CalendarYear; years: number[] }): void {
    this.#calendar = reply.calendar;
    this.#years = reply.years;
    this.year = String(reply.calendar.year);
    this.decree = reply.calendar.decree ?? '';
    this.days = reply.calendar.days.map((d) => ({ key: this.#nextKey++, ...d }));
  }
}
