/**
 * The words of the room's clocks block: where each clock of the law stands,
 * in the current language (the server computes the clocks; this only says them).
 */
import type { Clock } from '../../../../shared/schemas/clocks.schema';
import { formatDateTime, formatDay, t } from '../i18n/i18n.svelte';

const HOUR = 60 * 60 * 1000;

/** How far the clock is from its due date, or when it was done. */
export function clockStatusText(c: Clock): string {
  switch (c.state) {
    case 'pending':
      return t('clocks.pendingHint', { date: formatDay(c.dueDate) });
    case 'met':
    case 'late':
      return `${t(`clocks.state.${c.state}`)}: ${formatDateTime(c.doneAt)}`;
    case 'missed':
      return t('clocks.overdueBy', { days: Math.abs(c.daysLeft ?? 0), working: Math.abs(c.workingDaysLeft ?? 0) });
    case 'running':
      return c.daysLeft === 0 ? t('clocks.dueToday') : t('clocks.daysLeft', { days: c.daysLeft ?? 0, working: c.workingDaysLeft ?? 0 });
  }
}

/** A duration as days and hours (`2 дн. 3 ч`), or «меньше часа». */
export function durationText(ms: number): string {
  const hours = Math.floor(ms / HOUR);
  if (hours < 1) return t('clocks.lessThanHour');
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const parts = [days > 0 ? t('clocks.daysShort', { n: days }) : '', rest > 0 ? t('clocks.hoursShort', { n: rest }) : ''];
  return parts.filter(Boolean).join(' ');
}
