/**
 * The one personal-data policy (PRODUCT.md §8, 152-ФЗ; docs/privacy.md): which
 * of a citizen's personal fields a viewer receives with an appeal. Every server
 * reply that carries them asks here — the appeal view (also inside the replies
 * of transitions, assignment and invitations, and the case PDF built from it),
 * the case's entries (a changed reply contact), the list rows — and an entry of
 * the access log is written for each reply that gave them to someone else
 * (access-log.ts).
 *
 * Contact data and identifiers reach the citizen, the assigned operator and the
 * department's supervisors; an invited expert only when the citizen allowed it
 * for this appeal; nobody else — not another operator of the department, not an
 * observing higher department, not an admin (who does not see appeals). List
 * rows (the queue, «Мои обращения», the invitations) carry none for anyone but
 * the citizen: a row needs no contacts, and a list read is no access to log.
 */
import type { AppealRecord } from '../../store/store.js';
import { roomRoleOf } from '../appeals/appeal.policy.js';
import type { Viewer } from '../viewer.js';

/** The citizen's personal fields an appeal can carry. */
export const PERSONAL_FIELDS = ['fullName', 'email', 'phone', 'citizenId', 'replyContact'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

const NONE: readonly PersonalField[] = [];

/** Which reply the fields go out in: the room's appeal, or a row of a list. */
export type PersonalDataReply = 'appeal' | 'list_row';

/** Whether the viewer's part in the appeal gives them the citizen's contacts and identifiers. */
export function seesPersonalData(viewer: Viewer, appeal: AppealRecord): boolean {
  switch (roomRoleOf(viewer, appeal)) {
    case 'owner':
      return true;
    case 'officer':
      return viewer.role === 'supervisor' || appeal.assigneeId === viewer.id;
    case 'observer':
      // A higher department reading the escalated room: the citizen's contacts are in its own appeal.
      return false;
    case 'expert':
      return appeal.expertsSeeContacts;
    case null:
      return false;
  }
}

/** The personal fields this viewer receives with this appeal in this kind of reply. */
export function personalFieldsFor(viewer: Viewer, appeal: AppealRecord, reply: PersonalDataReply): readonly PersonalField[] {
  if (reply === 'list_row') return appeal.citizenId === viewer.id ? PERSONAL_FIELDS : NONE;
  return seesPersonalData(viewer, appeal) ? PERSONAL_FIELDS : NONE;
}

/** Whether a read of these fields by this viewer goes into the access log: someone else's data, and some of it. */
export function isLoggedRead(viewer: Viewer, appeal: Pick<AppealRecord, 'citizenId'>, fields: readonly string[]): boolean {
  return viewer.id !== appeal.citizenId && fields.length > 0;
}
