/**
 * The live room's use cases, one connection at a time: entering (the grant,
 * presence, what was missed), leaving, typing, and deciding again when the
 * access may have changed. Transports call these and keep the wire: which
 * socket rooms a connection is in, what is emitted to whom.
 *
 * It owns the remembered grants (kept in step with the bus), who is in each
 * room (PresenceService) and who types (TypingService).
 */
import type { MissedSince, PresencePerson } from '../../../shared/protocol/events.js';
import type { AppealService } from '../appeals/appeal.service.js';
import type { ChatService } from '../chat/chat.service.js';
import { DomainError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { PresenceService } from '../presence/presence.service.js';
import { TypingService } from '../presence/typing.service.js';
import type { Viewer } from '../viewer.js';
import type { RoomGrantCache } from './grant-cache.js';
import { presenceRoleOf, type RoomAccess, type RoomGrant } from './room-access.js';

function withoutObservers(people: PresencePerson[]): PresencePerson[] {
  return people.filter((p) => p.roomRole !== 'observer');
}

/** One live connection of a person (a socket, a tab). */
export interface Connection {
  id: string;
  viewer: Viewer;
  /** The person's name as the room shows it. */
  name: string;
}

/** What a connection's entry changed: whether the room's presence list is different now. */
export interface Entered {
  grant: RoomGrant;
  presenceChanged: boolean;
}

/** What leaving changed: the person stopped typing (tell the room), the presence list is different. */
export interface Left {
  typingStopped: boolean;
  presenceChanged: boolean;
}

export interface RoomSessionsDeps {
  rooms: RoomAccess;
  grants: RoomGrantCache;
  presence: PresenceService;
  chat: ChatService;
  appeals: AppealService;
  bus: EventBus;
}

export class RoomSessions {
  readonly presence: PresenceService;
  private readonly typing: TypingService;
  private readonly unsubscribe: () => void;
  /** Per room, the people list last told to those who are not staff (see `presenceNews`). */
  private readonly shownToOthers = new Map<string, string>();
  private typingExpired: (appealId: string, userId: string) => void = () => undefined;

  constructor(private readonly d: RoomSessionsDeps) {
    this.presence = d.presence;
    this.typing = new TypingService((appealId, userId) => {
      this.typingExpired(appealId, userId);
    });
    // First among the subscribers that matter here: from this event on, a grant is decided again.
    this.unsubscribe = d.bus.subscribe((event) => {
      d.grants.onEvent(event);
    });
  }

  /** May this connection be in the room? The grant, or NOT_FOUND (nothing recorded). */
  check(viewer: Viewer, appealId: string): Promise<RoomGrant> {
    return this.d.rooms.enter(viewer, appealId);
  }

  /**
   * Enters the room: decides the grant and records the connection's presence.
   * Call it once the connection listens to the room, so that nothing
   * committed after the decision is missed. A refusal throws (NOT_FOUND) and
   * records nothing; the caller then `leave`s.
   */
  async enter(conn: Connection, appealId: string): Promise<Entered> {
    const grant = await this.d.rooms.enter(conn.viewer, appealId);
    const presenceChanged = this.d.presence.join(appealId, conn.id, {
      userId: conn.viewer.id,
      name: conn.name,
      role: conn.viewer.role,
      roomRole: presenceRoleOf(grant),
    });
    return { grant, presenceChanged };
  }

  /** Everything after the given sequence numbers, in order, as this person may see it. */
  async missedSince(viewer: Viewer, grant: RoomGrant, chatSeq: number, historySeq: number): Promise<MissedSince> {
    const messages = await this.d.chat.after(grant, chatSeq);
    const history = await this.d.appeals.history(viewer, grant.appeal.id, historySeq);
    return { messages, history };
  }

  /** The room's read marks as the grant may see them (the citizen is not shown an observer's). */
  readMarks(grant: RoomGrant): Promise<Record<string, number>> {
    return this.d.chat.readMarksFor(grant);
  }

  people(appealId: string): PresencePerson[] {
    return this.d.presence.people(appealId);
  }

  /**
   * The room's people as a grant shows them: staff see everyone, observers
   * marked (`roomRole: 'observer'`); the citizen does not see observers.
   */
  peopleFor(appealId: string, grant: Pick<RoomGrant, 'isStaff'>): PresencePerson[] {
    const people = this.d.presence.people(appealId);
    return grant.isStaff ? people : withoutObservers(people);
  }

  /**
   * What to tell the room after its people changed: everyone, to the staff;
   * to the others the list without observers, or null when that list is what
   * they were told last — an observer coming or going reaches them not even
   * as a repeat.
   */
  presenceNews(appealId: string): { staff: PresencePerson[]; others: PresencePerson[] | null } {
    const staff = this.d.presence.people(appealId);
    if (staff.length === 0) {
      this.shownToOthers.delete(appealId);
      return { staff, others: [] };
    }
    const others = withoutObservers(staff);
    const key = others.map((p) => `${p.userId}:${p.roomRole}`).join(',');
    if (this.shownToOthers.get(appealId) === key) return { staff, others: null };
    this.shownToOthers.set(appealId, key);
    return { staff, others };
  }

  /** Takes the connection out of the room's presence and typing. */
  leave(conn: Pick<Connection, 'id' | 'viewer'>, appealId: string): Left {
    const typingStopped = this.typing.set(appealId, conn.viewer.id, false);
    const presenceChanged = this.d.presence.leave(appealId, conn.id);
    return { typingStopped, presenceChanged };
  }

  /** Records a typing flag of a connection in the room; true when the room should hear of it. */
  setTyping(conn: Pick<Connection, 'viewer'>, appealId: string, isTyping: boolean): boolean {
    return this.typing.set(appealId, conn.viewer.id, isTyping);
  }

  /**
   * Decides the connection's access again (an event said it may have
   * changed): the new grant, or null when the access is gone — then the
   * connection must `leave`. A failure of ours is thrown, and the connection
   * stays until the next check.
   */
  async recheck(conn: Connection, appealId: string): Promise<Entered | null> {
    try {
      return await this.enter(conn, appealId);
    } catch (err) {
      if (err instanceof DomainError) return null;
      throw err;
    }
  }

  /** Who is told when a typing flag expires unrenewed (the client went quiet): the transport that shows it. */
  onTypingExpired(handler: (appealId: string, userId: string) => void): void {
    this.typingExpired = handler;
  }

  /** Stops the typing timers and the bus subscription (shutdown). */
  close(): void {
    this.unsubscribe();
    this.typing.clear();
  }
}
