/**
 * The live lists: the operator's queue, the citizen's «Мои обращения» and the
 * expert's invitations follow the appeals they show without a reload (the
 * supervisor's wall has lines of its own, `WallService`).
 *
 * A person watches the channels their list endpoints read from, decided by
 * the same rules (`channelsOf`): the department's appeals for its operators
 * and supervisors (`GET /api/queue`), one's own appeals for a citizen
 * (`/api/appeals/mine`), one's invitations for an expert
 * (`/api/appeals/invited`). A committed change reaches the channels of the
 * people who may see that appeal in such a list (`audienceOf`), and only as a
 * hint — the appeal's id and why — after which the client reads its list
 * again through those endpoints. An internal note is no concern of the
 * citizen's: its hint goes to the staff channels alone.
 */
import type { ListChangeReason, ListChanged } from '../../../shared/protocol/events.js';
import type { Store } from '../../store/store.js';
import { forbidden } from '../errors.js';
import type { AppealAccessEvent, ChatPosted, DomainEvent } from '../events.js';
import type { Viewer } from '../viewer.js';

/** A department's appeals (its queue), or one person's own appeals and invitations. */
export type ListChannel = { kind: 'department'; id: string } | { kind: 'person'; id: string };

/** Where one change goes, and the hint sent there. */
export interface ListAudience {
  hint: ListChanged;
  channels: ListChannel[];
}

export class ListFeed {
  constructor(private readonly d: { store: Pick<Store, 'appeals'> }) {}

  /** The channels whose hints this viewer may receive; FORBIDDEN for a role with no list of appeals (admin). */
  channelsOf(viewer: Viewer): ListChannel[] {
    switch (viewer.role) {
      case 'citizen':
      case 'expert':
        return [{ kind: 'person', id: viewer.id }];
      case 'operator':
      case 'supervisor':
        if (viewer.departmentId) return [{ kind: 'department', id: viewer.departmentId }];
        break;
      case 'admin':
        break;
    }
    throw forbidden('Списки обращений доступны заявителям, сотрудникам ведомств и экспертам');
  }

  /**
   * Who hears of this event, or null when no list shows what changed (the
   * description's text, a file, a session). A chat message reads the
   * appeal's access fields from the store (the event carries none).
   */
  async audienceOf(event: DomainEvent): Promise<ListAudience | null> {
    switch (event.type) {
      case 'appeal.status_changed':
        return { hint: { appealId: event.appeal.id, reason: event.entry.action === 'submit' ? 'created' : 'status' }, channels: readersOf(event.appeal, true) };
      case 'appeal.updated': {
        const reason: ListChangeReason | null = event.changed.includes('assigneeId') ? 'assignee' : event.changed.includes('expertIds') ? 'experts' : null;
        return reason ? { hint: { appealId: event.appeal.id, reason }, channels: readersOf(event.appeal, true) } : null;
      }
      case 'appeal.expert_joined':
        // The `appeal.updated` of the invitation told the lists already.
        return null;
      case 'appeal.access_changed':
        // Those who lost the appeal (an expert removed): their list drops it.
        return { hint: { appealId: event.appealId, reason: 'access' }, channels: event.userIds.map((id) => ({ kind: 'person', id })) };
      case 'chat.posted':
        return this.ofMessage(event.message);
      case 'appeal.extended':
        return { hint: { appealId: event.appeal.id, reason: 'deadline' }, channels: readersOf(event.appeal, true) };
      case 'appeal.redirected':
        // The sending department's lists drop it (its status change reaches the receiving one and the citizen).
        return { hint: { appealId: event.appeal.id, reason: 'access' }, channels: [{ kind: 'department', id: event.fromDepartmentId }] };
      case 'feedback.changed':
        // «Мои обращения» shows the rating and its review's state; the department's lists show reviews.
        return { hint: { appealId: event.appeal.id, reason: 'feedback' }, channels: readersOf(event.appeal, true) };
      case 'appeal.escalated':
        // A new appeal in the higher department's queue and the citizen's list.
        return { hint: { appealId: event.appeal.id, reason: 'created' }, channels: readersOf(event.appeal, true) };
      case 'suggestion.marked':
        return { hint: { appealId: event.appeal.id, reason: 'status' }, channels: readersOf(event.appeal, true) };
      case 'escalation.answered':
      case 'decision.issued':
      case 'session.ended':
      case 'description.versions_changed':
      case 'attachment.changed':
      case 'case.entry_added':
      case 'calendar.changed':
      case 'deadline.missed':
      case 'deadline.reminder':
      case 'notification.created':
      case 'notification.unread':
      case 'overdue.digest':
      case 'resolution.autoconfirm_soon':
      case 'export.ready':
      case 'account.pseudonymised':
        return null;
    }
  }

  private async ofMessage(m: ChatPosted): Promise<ListAudience | null> {
    const appeal = await this.d.store.appeals.get(m.appealId);
    if (!appeal) return null;
    return { hint: { appealId: appeal.id, reason: 'message' }, channels: readersOf(appeal, !m.internal) };
  }
}

/**
 * The channels of everyone whose lists show the appeal: its citizen (unless
 * `withCitizen` is false: an internal note), the department's staff once it
 * is filed, its invited experts.
 */
function readersOf(appeal: Pick<AppealAccessEvent, 'status' | 'citizenId' | 'departmentId' | 'expertIds'>, withCitizen: boolean): ListChannel[] {
  const channels: ListChannel[] = withCitizen ? [{ kind: 'person', id: appeal.citizenId }] : [];
  if (appeal.status === 'draft') return channels;
  if (appeal.departmentId) channels.push({ kind: 'department', id: appeal.departmentId });
  for (const id of appeal.expertIds) channels.push({ kind: 'person', id });
  return channels;
}
