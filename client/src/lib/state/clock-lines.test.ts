import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../../shared/schemas/clocks.schema';
import { i18n } from '../i18n/i18n.svelte';
import { clockStatusText, durationText } from './clock-lines';

const HOUR = 60 * 60 * 1000;
const clock = (patch: Partial<Clock>): Clock => ({
  kind: 'answer',
  state: 'running',
  startedAt: Date.UTC(2026, 3, 9, 9),
  dueDate: '2026-05-12',
  dueAt: Date.UTC(2026, 4, 12, 20, 59, 59, 999),
  doneAt: null,
  daysLeft: 33,
  workingDaysLeft: 21,
  ...patch,
});

describe('the words of a clock', () => {
  beforeEach(() => {
    i18n.setLocale('ru');
  });

  it('says the days left and how many are working days, or that the term ends today', () => {
    expect(clockStatusText(clock({}))).toBe('осталось 33 дн., из них рабочих: 21');
    expect(clockStatusText(clock({ daysLeft: 0, workingDaysLeft: 0 }))).toBe('срок истекает сегодня');
  });

  it('says how long ago a missed term ended, and when a clock was done', () => {
    expect(clockStatusText(clock({ state: 'missed', daysLeft: -3, workingDaysLeft: -1 }))).toBe('срок пропущен: 3 дн. назад (рабочих: 1)');
    expect(clockStatusText(clock({ state: 'late', doneAt: Date.UTC(2026, 4, 13, 9), daysLeft: null, workingDaysLeft: null }))).toMatch(
      /^выполнено с опозданием: 13 мая 2026 г\./,
    );
    expect(clockStatusText(clock({ state: 'pending', startedAt: null }))).toBe('срок начнётся с регистрации в ведомстве — не позднее этой даты');
  });

  it('speaks English too', () => {
    i18n.setLocale('en');
    expect(clockStatusText(clock({}))).toBe('33 days left, 21 of them working days');
  });

  it('gives a waiting time in days and hours', () => {
    expect(durationText(20 * 60 * 1000)).toBe('меньше часа');
    expect(durationText(5 * HOUR)).toBe('5 ч');
    expect(durationText(2 * 24 * HOUR + 3 * HOUR)).toBe('2 дн. 3 ч');
    expect(durationText(24 * HOUR)).toBe('1 дн.');
  });
});
