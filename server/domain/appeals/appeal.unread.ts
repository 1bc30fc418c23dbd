/**
 * Unread marks for lists: messages by others after the viewer's read mark, of
 * the kinds the viewer may see (internal notes only for staff).
 */
import type { AppealRecord, Store } from '../../store/store.js';
import type { Viewer } from '../viewer.js';
import { isStaffIn } from './appeal.policy.js';

/** Counting stops here; the list shows "99+". */
export const UNREAD_CAP = 99;

export async function countUnread(store: Store, viewer: Viewer, appeal: AppealRecord): Promise<number> {
  if (appeal.status === 'draft') return 0;
  const marks = await store.chat.readMarks(appeal.id);
  const after = marks[viewer.id] ?? 0;
  const messages = await store.chat.list(appeal.id, { afterSeq: after, limit: UNREAD_CAP + 1, includeInternal: isStaffIn(viewer, appeal) });
  // An edit or a withdrawal (editOf) is no new message.
  return Math.min(UNREAD_CAP + 1, messages.filter((m) => m.authorId !== viewer.id && m.editOf === undefined).length);
}
