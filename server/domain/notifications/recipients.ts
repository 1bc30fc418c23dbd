/**
 * Who a domain event concerns, and what they are told: the event → recipient
 * table of docs/notifications.md, as code. Nobody is told of their own
 * action; a citizen never hears of internal notes; experts hear only of
 * their invitation, the chat they may read and the room's closing.
 */
import { AUTO_CONFIRM_DAYS } from '../../../shared/status-machine.js';
import type { NotificationKind } from '../../../shared/schemas/notification.schema.js';
import type { DomainEvent } from '../events.js';
import type { TemplateParams } from './templates.js';

const DAY = 24 * 3_600_000;

/** One person to tell. `date` is an instant the template shows as a date in the person's zone. */
export interface Recipient {
  userId: string;
  kind: NotificationKind;
  topic: string;
  params: Omit<TemplateParams, 'number' | 'date'>;
  date?: number;
}

/** What the table needs besides the event: the department's supervisors, and who is in a room now (chat). */
export interface RecipientLookup {
  supervisorsOf(departmentId: string): Promise<string[]>;
  /** The people of an appeal's room as stored now (null when there is no such appeal). */
  roomOf(appealId: string): Promise<{ citizenId: string; assigneeId: string | null; expertIds: string[] } | null>;
  presentIn(appealId: string): ReadonlySet<string>;
}

/** What the notices of one event are about, and the key that makes them once per event. */
export interface Planned {
  /** Unique per event: with the person's id it names the notice. */
  eventKey: string;
  /** The appeal, or null for a department's digest. */
  appealId: string | null;
  recipients: Recipient[];
  /** Where the notice leads when it is not an appeal's room (the profile, for an export). */
  link?: string;
}

const person = (userId: string | null | undefined, kind: NotificationKind, topic: string, extra: Partial<Recipient> = {}): Recipient[] =>
  userId ? [{ userId, kind, topic, params: {}, ...extra }] : [];

/** The notices an event calls for; null when it calls for none. */
export async function plan(event: DomainEvent, lookup: RecipientLookup): Promise<Planned | null> {
  if (event.type === 'appeal.status_changed') {
    const { appeal, entry } = event;
    const owner = appeal.citizenId;
    const assignee = appeal.assigneeId;
    let out: Recipient[] = [];
    switch (entry.action) {
      case 'submit':
      case 'resubmit':
        out = person(owner, 'status', 'status.registered');
        break;
      case 'take':
        out = person(owner, 'status', 'status.in_progress');
        break;
      case 'resume':
        out = person(owner, 'status', 'status.resumed');
        break;
      case 'request_info':
        out = person(owner, 'action_required', 'action.info_requested');
        break;
      case 'provide_info':
        out = person(assignee, 'action_required', 'action.info_provided');
        break;
      case 'propose_resolution':
        out = person(owner, 'action_required', 'action.resolution_proposed', { date: entry.at + AUTO_CONFIRM_DAYS * DAY });
        break;
      case 'confirm':
        out = person(assignee, 'status', 'status.confirmed');
        break;
      case 'auto_confirm':
        out = [...person(owner, 'status', 'status.auto_confirmed'), ...person(assignee, 'status', 'status.auto_confirmed')];
        break;
      case 'dispute':
        out = person(assignee, 'action_required', 'action.disputed');
        break;
      case 'reject':
        out = person(owner, 'status', 'status.rejected');
        break;
      case 'reopen':
        out = [...person(owner, 'status', 'status.reopened'), ...person(assignee, 'status', 'status.reopened')];
        break;
      case 'answer':
        // A suggestion's reply, or a higher department's answer to an escalation (docs/after-decision.md).
        out = person(owner, 'status', 'status.answered');
        break;
    }
    if (entry.to === 'completed' || entry.to === 'rejected') out.push(...appeal.expertIds.flatMap((e) => person(e, 'status', 'status.closed')));
    // The one notice about one's own action: the citizen's receipt for what they filed.
    const receipt = entry.action === 'submit' || entry.action === 'resubmit';
    return { eventKey: `status:${appeal.id}:${entry.seq}`, appealId: appeal.id, recipients: out.filter((r) => receipt || r.userId !== entry.actorId) };
  }
  if (event.type === 'appeal.updated') {
    const { appeal } = event;
    if (event.changed.includes('assigneeId') && appeal.assigneeId) {
      // Per assignee and version: a reassignment back to someone tells them again.
      return {
        eventKey: `assigned:${appeal.id}:${appeal.version}`,
        appealId: appeal.id,
        recipients: person(appeal.assigneeId, 'action_required', 'action.assigned'),
      };
    }
    if (event.changed.includes('expertIds') && appeal.expertIds.length > 0) {
      // Once per expert and appeal: the notice's id is keyed by the person, so experts already told are not told again.
      return {
        eventKey: `invited:${appeal.id}`,
        appealId: appeal.id,
        recipients: appeal.expertIds.flatMap((e) => person(e, 'action_required', 'action.invited')),
      };
    }
    return null;
  }
  if (event.type === 'chat.posted') {
    const m = event.message;
    const room = await lookup.roomOf(m.appealId);
    if (!room) return null;
    const present = lookup.presentIn(m.appealId);
    // An internal note reaches staff only: never the citizen.
    const people = m.internal ? [room.assigneeId, ...room.expertIds] : [room.citizenId, room.assigneeId, ...room.expertIds];
    const recipients = [...new Set(people.filter((u): u is string => !!u && u !== m.authorId && !present.has(u)))].flatMap((u) =>
      person(u, 'status', 'status.chat_message'),
    );
    return { eventKey: `chat:${m.appealId}:${m.seq}`, appealId: m.appealId, recipients };
  }
  if (event.type === 'case.entry_added') {
    const room = await lookup.roomOf(event.appealId);
    if (!room) return null;
    return {
      eventKey: `entry:${event.appealId}:${event.seq}`,
      appealId: event.appealId,
      recipients: person(room.assigneeId, 'action_required', 'action.supplement').filter((r) => r.userId !== event.authorId),
    };
  }
  if (event.type === 'deadline.reminder') {
    const { appeal } = event;
    const to = appeal.assigneeId ? [appeal.assigneeId] : appeal.departmentId ? await lookup.supervisorsOf(appeal.departmentId) : [];
    return {
      eventKey: `reminder:${appeal.id}:${event.clock}:${event.dueAt}:${event.workingDaysLeft}`,
      appealId: appeal.id,
      recipients: to.flatMap((u) => person(u, 'deadline', 'deadline.reminder', { params: { count: event.workingDaysLeft }, date: event.dueAt })),
    };
  }
  if (event.type === 'deadline.missed') {
    const { appeal } = event;
    const supervisors = appeal.departmentId ? await lookup.supervisorsOf(appeal.departmentId) : [];
    const to = [...new Set([...supervisors, ...(appeal.assigneeId ? [appeal.assigneeId] : [])])];
    return {
      eventKey: `missed:${appeal.id}:${event.clock}:${event.dueAt}`,
      appealId: appeal.id,
      recipients: to.flatMap((u) => person(u, 'deadline', 'deadline.missed', { date: event.dueAt })),
    };
  }
  if (event.type === 'appeal.extended') {
    const { appeal } = event;
    return {
      eventKey: `extended:${appeal.id}:${event.dueAt}`,
      appealId: appeal.id,
      recipients: [
        ...person(appeal.citizenId, 'status', 'status.extended', { date: event.dueAt }),
        ...person(appeal.assigneeId, 'deadline', 'deadline.extended', { date: event.dueAt }),
      ].filter((r) => r.userId !== event.actorId),
    };
  }
  if (event.type === 'appeal.redirected') {
    const { appeal } = event;
    const receiving = await lookup.supervisorsOf(event.toDepartmentId);
    return {
      eventKey: `redirected:${appeal.id}:${event.toDepartmentId}:${appeal.version}`,
      appealId: appeal.id,
      recipients: [
        ...person(appeal.citizenId, 'status', 'status.redirected'),
        ...receiving.flatMap((u) => person(u, 'action_required', 'action.redirected_in')),
      ].filter((r) => r.userId !== event.actorId),
    };
  }
  if (event.type === 'appeal.escalated') {
    // The new appeal in the higher department: its supervisors have work; the citizen hears where it went.
    const { appeal } = event;
    const receiving = appeal.departmentId ? await lookup.supervisorsOf(appeal.departmentId) : [];
    return {
      eventKey: `escalated:${appeal.id}`,
      appealId: appeal.id,
      recipients: [
        ...person(appeal.citizenId, 'status', 'status.escalated'),
        ...receiving.flatMap((u) => person(u, 'action_required', 'action.escalated_in')),
      ].filter((r) => r.userId !== event.actorId),
    };
  }
  if (event.type === 'escalation.answered') {
    // The answer comes back into the original case: its officer is told there.
    const room = await lookup.roomOf(event.originalAppealId);
    if (!room) return null;
    return {
      eventKey: `escalation-answered:${event.appeal.id}`,
      appealId: event.originalAppealId,
      recipients: person(room.assigneeId, 'status', 'status.escalation_answered').filter((r) => r.userId !== event.actorId),
    };
  }
  if (event.type === 'suggestion.marked') {
    const { appeal } = event;
    return {
      eventKey: `suggestion-marked:${appeal.id}:${appeal.version}`,
      appealId: appeal.id,
      recipients: person(appeal.citizenId, 'status', 'status.suggestion_marked').filter((r) => r.userId !== event.actorId),
    };
  }
  if (event.type === 'resolution.autoconfirm_soon') {
    const { appeal } = event;
    return {
      eventKey: `autoconfirm:${appeal.id}:${event.autoConfirmAt}`,
      appealId: appeal.id,
      recipients: person(appeal.citizenId, 'action_required', 'action.autoconfirm_soon', { date: event.autoConfirmAt }),
    };
  }
  if (event.type === 'feedback.changed') {
    // After the decision (docs/decisions.md): supervisors hear of a review opened or overdue; the citizen of each step.
    const { appeal, reviewId, reviewState } = event;
    if (!reviewId) return null;
    const supervisors = async (): Promise<string[]> => (appeal.departmentId ? await lookup.supervisorsOf(appeal.departmentId) : []);
    const citizen = (topic: string): Recipient[] => person(appeal.citizenId, 'status', topic);
    let recipients: Recipient[] = [];
    let key = `${event.change}:${reviewId}`;
    if ((event.change === 'rated' || event.change === 'rating_changed') && reviewState === 'pending') {
      // Once per review, however often the rating changes while it waits.
      key = `opened:${reviewId}`;
      recipients = (await supervisors()).flatMap((u) =>
        person(u, 'action_required', 'action.review_opened', event.reviewDueAt ? { date: event.reviewDueAt } : {}),
      );
    } else if (event.change === 'overdue') {
      recipients = (await supervisors()).flatMap((u) => person(u, 'deadline', 'deadline.review_overdue'));
    } else if (event.change === 'start') {
      recipients = citizen('status.review_started');
    } else if (event.change === 'close') {
      recipients = citizen('status.review_closed');
    } else if (event.change === 're_examine') {
      recipients = citizen('status.re_examination');
    } else if (event.change === 'complete') {
      recipients = citizen('status.re_examination_completed');
    }
    return { eventKey: `review:${appeal.id}:${key}`, appealId: appeal.id, recipients: recipients.filter((r) => r.userId !== event.actorId) };
  }
  if (event.type === 'export.ready') {
    // The person's own data export (docs/personal-data.md): ready, with the date its link expires.
    return {
      eventKey: `export:${event.exportId}`,
      appealId: null,
      link: '/profile',
      recipients: person(event.userId, 'status', 'account.export_ready', { date: event.expiresAt }),
    };
  }
  if (event.type === 'overdue.digest') {
    const supervisors = await lookup.supervisorsOf(event.departmentId);
    const [y, m, d] = event.date.split('-').map(Number) as [number, number, number];
    return {
      eventKey: `digest:${event.departmentId}:${event.date}`,
      appealId: null,
      recipients: supervisors.flatMap((u) =>
        person(u, 'deadline', 'deadline.digest', { params: { count: event.appealIds.length }, date: Date.UTC(y, m - 1, d, 12) }),
      ),
    };
  }
  return null;
}
