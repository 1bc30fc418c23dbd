/**
 * What a viewer is shown of an appeal. Contact data and identifiers reach the
 * assigned operator and the department's supervisors only, and experts only
 * when the citizen allowed it (PRODUCT.md §8).
 */
import type { Appeal } from '../../../shared/protocol/api.js';
import type { Clocks } from '../../../shared/schemas/clocks.schema.js';
import { allowedForKind, AUTO_CONFIRM_DAYS, transitionsFrom } from '../../../shared/status-machine.js';
import type { AppealRecord, EscalationRecord, StatusHistoryRecord, UserRecord } from '../../store/store.js';
import type { Viewer } from '../viewer.js';
import { canWriteInRoom, isAssignedToAnother, roomRoleOf } from './appeal.policy.js';
import { toDecisionView, toFeedbackView } from '../decisions/outcome.view.js';
import { personalFieldsFor, seesPersonalData, type PersonalDataReply, type PersonalField } from '../privacy/personal-data.policy.js';

export interface CitizenContact {
  fullName: string;
  email: string | null;
  phone: string | null;
}

/** The appeal as this viewer may see it (the shared wire shape). */
export type AppealView = Appeal;

export interface HistoryView extends StatusHistoryRecord {
  actorName: string | null;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Whether the viewer may see the citizen's contact data and identifiers on this
 * appeal — the personal-data policy's answer (server/domain/privacy/personal-data.policy.ts):
 * the citizen, the assigned operator and the department's supervisors; an
 * invited expert only when the citizen allowed it for this appeal.
 */
export function seesContacts(viewer: Viewer, appeal: AppealRecord): boolean {
  return seesPersonalData(viewer, appeal);
}

/** The personal fields a view actually carries (for the access log): those the policy gave that have a value. */
export function carriedPersonalFields(view: AppealView): PersonalField[] {
  const out: PersonalField[] = [];
  if (view.citizen) {
    out.push('fullName');
    if (view.citizen.email) out.push('email');
    if (view.citizen.phone) out.push('phone');
  }
  if (view.citizenId) out.push('citizenId');
  if (view.details.replyContact) out.push('replyContact');
  return out;
}

/**
 * When a proposed resolution counts as confirmed if the citizen says nothing:
 * AUTO_CONFIRM_DAYS after it was proposed (PRODUCT.md §2); null in any other
 * status. The automatic confirmation applies this same rule, so the date the
 * room shows is the one kept.
 */
export function autoConfirmAtOf(appeal: Pick<AppealRecord, 'status' | 'statusChangedAt'>): number | null {
  return appeal.status === 'awaiting_confirmation' ? appeal.statusChangedAt + AUTO_CONFIRM_DAYS * DAY : null;
}

export function toAppealView(
  viewer: Viewer,
  appeal: AppealRecord,
  citizen: UserRecord | null,
  now: number,
  assigneeName: string | null = null,
  clocks: Clocks | null = null,
  reply: PersonalDataReply = 'appeal',
): AppealView {
  const { accessCodeHash: _hidden, clocks: _record, ...rest } = appeal;
  const part = roomRoleOf(viewer, appeal);
  const contacts = personalFieldsFor(viewer, appeal, reply).length > 0;
  const actor = part === 'owner' ? 'citizen' : viewer.role;
  const actions =
    part === null || part === 'observer' || (part === 'expert' && actor === 'expert')
      ? []
      : transitionsFrom(actor, appeal.status)
          .filter((t) => !isAssignedToAnother(actor, viewer.id, appeal, t.action))
          .filter((t) => allowedForKind(t.action, { type: appeal.type, escalated: appeal.escalation !== null, kind: appeal.kind }))
          .map((t) => t.action);
  return {
    ...rest,
    citizenId: contacts ? appeal.citizenId : null,
    expertsSeeContacts: appeal.expertsSeeContacts,
    details: contacts ? appeal.details : { ...appeal.details, replyContact: undefined },
    roomRole: part,
    canWrite: canWriteInRoom(viewer, appeal),
    actions: [...new Set(actions)],
    overdue: isOverdue(appeal, now),
    autoConfirmAt: autoConfirmAtOf(appeal),
    clocks,
    citizen: citizen && contacts ? { fullName: citizen.fullName, email: citizen.email, phone: citizen.phone } : null,
    assigneeName,
    escalation: appeal.escalation ? escalationViewOf(appeal.escalation) : null,
    decisions: appeal.decisions.map(toDecisionView),
    feedback: toFeedbackView(viewer, appeal, now),
  };
}

/** The escalated appeal's origin as its room shows it (who escalated is said by role, not by id). */
export function escalationViewOf(e: EscalationRecord): NonNullable<AppealView['escalation']> {
  return {
    fromAppealId: e.fromAppealId,
    fromNumber: e.fromNumber,
    fromDepartmentId: e.fromDepartmentId,
    reason: e.reason,
    evidenceIds: [...e.evidenceIds],
    byRole: e.byRole,
    at: e.at,
    answer: e.answer ? { kind: e.answer.kind, text: e.answer.text, at: e.answer.at, byName: e.answer.byName } : null,
  };
}

export function isOverdue(appeal: AppealRecord, now: number): boolean {
  return appeal.deadlineAt !== null && appeal.deadlineAt < now && !['draft', 'completed', 'rejected'].includes(appeal.status);
}
