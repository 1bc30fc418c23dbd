/**
 * What a viewer is shown of an appeal. Contact data and identifiers reach the
 * officers only, and experts only when the citizen allowed it (PRODUCT.md §8).
 */
import type { Appeal } from '../../../shared/protocol/api.js';
import { transitionsFrom } from '../../../shared/status-machine.js';
import type { AppealRecord, StatusHistoryRecord, UserRecord } from '../../store/store.js';
import type { Viewer } from '../viewer.js';
import { canWriteInRoom, isAssignedToAnother, roomRoleOf } from './appeal.policy.js';

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

/** Whether the viewer may see the citizen's contact data on this appeal. */
export function seesContacts(viewer: Viewer, appeal: AppealRecord, citizen: UserRecord | null): boolean {
  const part = roomRoleOf(viewer, appeal);
  if (part === 'owner' || part === 'officer') return true;
  return part === 'expert' && (citizen?.expertsSeeContacts ?? false);
}

export function toAppealView(viewer: Viewer, appeal: AppealRecord, citizen: UserRecord | null, now: number, assigneeName: string | null = null): AppealView {
  const { accessCodeHash: _hidden, ...rest } = appeal;
  const part = roomRoleOf(viewer, appeal);
  const contacts = seesContacts(viewer, appeal, citizen);
  const actor = part === 'owner' ? 'citizen' : viewer.role;
  const actions =
    part === null || (part === 'expert' && actor === 'expert')
      ? []
      : transitionsFrom(actor, appeal.status)
          .filter((t) => !isAssignedToAnother(actor, viewer.id, appeal, t.action))
          .map((t) => t.action);
  return {
    ...rest,
    citizenId: contacts ? appeal.citizenId : null,
    details: contacts ? appeal.details : { ...appeal.details, replyContact: undefined },
    roomRole: part,
    canWrite: canWriteInRoom(viewer, appeal),
    actions: [...new Set(actions)],
    overdue: isOverdue(appeal, now),
    citizen: citizen && contacts ? { fullName: citizen.fullName, email: citizen.email, phone: citizen.phone } : null,
    assigneeName,
  };
}

export function isOverdue(appeal: AppealRecord, now: number): boolean {
  return appeal.deadlineAt !== null && appeal.deadlineAt < now && !['draft', 'completed', 'rejected'].includes(appeal.status);
}
