/**
 * The one question every realtime endpoint asks before any effect: may this
 * viewer enter this appeal's room, and may they write there? HTTP, socket.io
 * and the Yjs endpoint all answer it here.
 */
import type { AppealRecord } from '../../store/store.js';
import type { AppealService } from '../appeals/appeal.service.js';
import { canWriteInRoom, isStaffIn, roomRoleOf, type RoomRole } from '../appeals/appeal.policy.js';
import { DomainError, notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';

export interface RoomGrant {
  appeal: AppealRecord;
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
    const appeal = await this.appeals.visible(viewer, appealId);
    const part = roomRoleOf(viewer, appeal);
    if (!part || appeal.status === 'draft') throw notFound('Обращение не найдено');
    return { appeal, part, canWrite: canWriteInRoom(viewer, appeal), isStaff: isStaffIn(viewer, appeal) };
  }

  /** Like `enter`, but FORBIDDEN when the viewer may only watch. */
  async write(viewer: Viewer, appealId: string): Promise<RoomGrant> {
    const grant = await this.enter(viewer, appealId);
    if (!grant.canWrite) throw new DomainError('FORBIDDEN', 'Вы наблюдаете за комнатой без права записи');
    return grant;
  }
}
