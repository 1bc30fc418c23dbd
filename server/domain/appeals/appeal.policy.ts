/**
 * Who may see and do what with one appeal: role × membership × department
 * (PRODUCT.md §1). Pure functions so HTTP, socket.io and Yjs ask the same question.
 */
import type { RoomRole } from '../../../shared/protocol/api.js';
import type { Actor } from '../../../shared/status-machine.js';
import type { AppealRecord } from '../../store/store.js';
import type { Viewer } from '../viewer.js';

/** What of an appeal decides who may do what in its room. */
export type AppealAccess = Pick<AppealRecord, 'id' | 'status' | 'version' | 'citizenId' | 'assigneeId' | 'departmentId' | 'expertIds'> & {
  /** Higher departments the appeal was escalated to: their staff read the room (none when absent). */
  readerDepartmentIds?: string[];
};

/** Just those fields: what a remembered grant keeps, so that the whole record (texts, details) can die young. */
export function accessOf(appeal: AppealAccess): AppealAccess {
  return {
    id: appeal.id,
    status: appeal.status,
    version: appeal.version,
    citizenId: appeal.citizenId,
    assigneeId: appeal.assigneeId,
    departmentId: appeal.departmentId,
    expertIds: appeal.expertIds,
    ...(appeal.readerDepartmentIds && appeal.readerDepartmentIds.length > 0 ? { readerDepartmentIds: [...appeal.readerDepartmentIds] } : {}),
  };
}

/** How a viewer takes part in an appeal's room. */
export type { RoomRole };

/**
 * The viewer's part in the appeal, or null when they may not know it exists.
 * Drafts are the citizen's alone. Supervisors of the department observe any room
 * and act as officers; operators of the department see its queue.
 */
export function roomRoleOf(viewer: Viewer, appeal: AppealAccess): RoomRole | null {
  if (appeal.citizenId === viewer.id) return 'owner';
  if (appeal.status === 'draft') return null;
  switch (viewer.role) {
    case 'citizen':
    case 'admin':
      return null;
    case 'expert':
      return appeal.expertIds.includes(viewer.id) ? 'expert' : null;
    case 'operator':
    case 'supervisor':
      if (viewer.departmentId === null) return null;
      if (viewer.departmentId === appeal.departmentId) return 'officer';
      // The staff of a higher department the appeal was escalated to read the whole room, and act in none of it.
      return appeal.readerDepartmentIds?.includes(viewer.departmentId) ? 'observer' : null;
  }
}

/**
 * Whether an operator is kept from this transition because the appeal is
 * someone else's: an operator takes an appeal, then moves only those assigned
 * to them (supervisors act on any appeal of their department).
 */
export function isAssignedToAnother(actor: Actor, viewerId: string, appeal: Pick<AppealAccess, 'assigneeId'>, action: string): boolean {
  return actor === 'operator' && action !== 'take' && appeal.assigneeId !== viewerId;
}

/**
 * Whether the viewer may write in the room (chat, description, attachments).
 * Any operator of the department writes; a supervisor who has not taken the
 * appeal is a silent observer (read-only) until they act.
 */
export function canWriteInRoom(viewer: Viewer, appeal: AppealAccess): boolean {
  const part = roomRoleOf(viewer, appeal);
  if (part === 'owner' || part === 'expert') return true;
  if (part === 'officer') return viewer.role === 'operator' || appeal.assigneeId === viewer.id;
  return false;
}

/** Staff see internal notes and the citizen's contact data (experts only if allowed). */
export function isStaffIn(viewer: Viewer, appeal: AppealAccess): boolean {
  const part = roomRoleOf(viewer, appeal);
  return part === 'officer' || part === 'expert' || part === 'observer';
}
