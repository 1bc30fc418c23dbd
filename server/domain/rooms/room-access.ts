/**
 * The one question every realtime endpoint asks before any effect: may this
 * viewer enter this appeal's room, and may they write there? HTTP, socket.io
 * and the Yjs endpoint all answer it here.
 */
import type { AppealService } from '../appeals/appeal.service.js';
import { accessOf, canWriteInRoom, isStaffIn, roomRoleOf, type AppealAccess, type RoomRole } from '../appeals/appeal.policy.js';
import { DomainError, notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';

export interface RoomGrant {
  /**
   * The fields of the appeal the grant was decided on (a copy of them, not the
   * record: grants are remembered, and a whole record held for seconds would
   * outlive the young generation for nothing).
   */
  appeal: AppealAccess;
  part: RoomRole;
  /** Chat, description and attachments; false for a silent observer. */
  canWrite: boolean;
  /** Sees internal notes. */
  isStaff: boolean;
}

export class RoomAccess {
  constructor(private readonly appeals: AppealService) {}

  /** The grant, or NOT_FOUND for a room the viewer may not know about (drafts have no room). */
  async enter(viewer: Viewer, appealId: string): Promise<RoomGrant> {
    return grantOf(viewer, await this.appeals.visible(viewer, appealId));
  }

  /** Like `enter`, but FORBIDDEN when the viewer may only watch. */
  async write(viewer: Viewer, appealId: string): Promise<RoomGrant> {
    return writeGrantOf(viewer, await this.appeals.visible(viewer, appealId));
  }
}

/** The grant a record of the appeal gives the viewer, or NOT_FOUND (no store read: the caller has the record). */
export function grantOf(viewer: Viewer, appeal: AppealAccess): RoomGrant {
  const part = roomRoleOf(viewer, appeal);
  if (!part || appeal.status === 'draft') throw notFound('Обращение не найдено');
  return { appeal: accessOf(appeal), part, canWrite: canWriteInRoom(viewer, appeal), isStaff: isStaffIn(viewer, appeal) };
}

/**
 * How the person shows in the room's presence: an officer who may not write
 * (a supervisor who has not taken the appeal) only watches — an observer,
 * whom the citizen is not shown.
 */
export function presenceRoleOf(grant: Pick<RoomGrant, 'part' | 'canWrite'>): RoomRole {
  return grant.part === 'officer' && !grant.canWrite ? 'observer' : grant.part;
}

/** Like `grantOf`, but FORBIDDEN when the viewer may only watch. */
export function writeGrantOf(viewer: Viewer, appeal: AppealAccess): RoomGrant {
  const grant = grantOf(viewer, appeal);
  if (!grant.canWrite) throw new DomainError('FORBIDDEN', 'Вы наблюдаете за комнатой без права записи');
  return grant;
}
