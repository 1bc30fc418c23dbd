/**
 * Who may move an appeal's clocks, and when: an extension of the answer term
 * (a supervisor of the department, before the term ends, 30 days at most in
 * all) and a redirect to the competent department (an officer of the
 * department, before the answer). Each answers with the refusal to throw, or
 * null; the room's view offers an action exactly when its refusal is null.
 */
import { LAW_CLOCKS } from '../../../shared/law-clocks.js';
import type { Status } from '../../../shared/status-machine.js';
import type { AppealClocksRecord, AppealRecord } from '../../store/store.js';
import { roomRoleOf } from '../appeals/appeal.policy.js';
import { DomainError, forbidden, invalid } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { deadlineOf, extendedDaysOf } from './law-clocks.js';
import type { WorkingCalendar } from './working-calendar.js';

/** Statuses from which an appeal may still be sent on (the department has not answered). */
const REDIRECTABLE: ReadonlySet<Status> = new Set(['registered', 'in_progress', 'info_requested']);

type Appeal = Pick<AppealRecord, 'status' | 'citizenId' | 'assigneeId' | 'departmentId' | 'expertIds' | 'id' | 'version'>;

/** Why this viewer may not extend the answer term by `days` now (any number of days when omitted), or null. */
export function extensionRefusal(
  viewer: Viewer,
  appeal: Appeal,
  c: AppealClocksRecord | null,
  calendar: WorkingCalendar,
  now: number,
  days?: number,
): DomainError | null {
  if (viewer.role !== 'supervisor' || roomRoleOf(viewer, appeal) !== 'officer') return forbidden('Продлить срок ответа может руководитель ведомства');
  if (!c || !REDIRECTABLE.has(appeal.status) || c.answeredAt !== null) return new DomainError('CONFLICT', 'Ответ по обращению уже дан: срок не продлевается');
  if (c.registeredAt === null) return new DomainError('CONFLICT', 'Срок ответа ещё не начался: обращение не зарегистрировано в ведомстве');
  if (now > deadlineOf(c, calendar)) return new DomainError('CONFLICT', 'Срок ответа уже истёк: продлить его можно только до окончания');
  const left = LAW_CLOCKS.maxExtensionDays - extendedDaysOf(c);
  if (left <= 0) return new DomainError('CONFLICT', `Срок уже продлён на ${LAW_CLOCKS.maxExtensionDays} дней — больше закон не позволяет`);
  if (days !== undefined && days > left)
    return invalid({ days: `можно продлить ещё не больше чем на ${left} дн.` }, 'Срок продлевается не больше чем на 30 дней в сумме');
  return null;
}

/** Why this viewer may not redirect the appeal now, or null. */
export function redirectRefusal(viewer: Viewer, appeal: Appeal, c: AppealClocksRecord | null): DomainError | null {
  if (roomRoleOf(viewer, appeal) !== 'officer' || (viewer.role !== 'operator' && viewer.role !== 'supervisor')) {
    return forbidden('Переадресовать обращение может сотрудник ведомства');
  }
  // An operator sends on an appeal of the queue (unassigned) or their own; a supervisor any of the department's.
  if (viewer.role === 'operator' && appeal.assigneeId !== null && appeal.assigneeId !== viewer.id) return forbidden('Обращение назначено другому сотруднику');
  if (!c || !REDIRECTABLE.has(appeal.status) || c.answeredAt !== null) return new DomainError('CONFLICT', 'Переадресовать можно только до ответа по существу');
  return null;
}
