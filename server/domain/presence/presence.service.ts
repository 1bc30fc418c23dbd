/**
 * Who is in each room now, per connection, in this instance's memory. A person
 * with two tabs is one entry in the list; they leave when their last
 * connection does. Names, roles and colours come from the server's record of
 * the connection, never from the client.
 */
import type { PresencePerson } from '../../../shared/protocol/events.js';

/** A stable, readable colour for a user id (same id → same colour everywhere). */
export function colourOf(userId: string): string {
  let h = 2166136261;
  for (let i = 0; i < userId.length; i++) {
    h ^= userId.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  const hue = (h >>> 0) % 360;
  return `hsl(${hue} 65% 42%)`;
}

export class PresenceService {
  /** appealId → connection id → person. */
  private readonly rooms = new Map<string, Map<string, PresencePerson>>();

  /** Adds the connection to the room; true when the visible list changed. */
  join(appealId: string, connectionId: string, person: Omit<PresencePerson, 'colour'>): boolean {
    const before = this.people(appealId);
    let room = this.rooms.get(appealId);
    if (!room) {
      room = new Map();
      this.rooms.set(appealId, room);
    }
    room.set(connectionId, { ...person, colour: colourOf(person.userId) });
    return !samePeople(before, this.people(appealId));
  }

  /** Removes the connection from the room; true when the visible list changed. */
  leave(appealId: string, connectionId: string): boolean {
    const room = this.rooms.get(appealId);
    if (!room?.has(connectionId)) return false;
    const before = this.people(appealId);
    room.delete(connectionId);
    if (room.size === 0) this.rooms.delete(appealId);
    return !samePeople(before, this.people(appealId));
  }

  /** Whether this connection is in the room. */
  has(appealId: string, connectionId: string): boolean {
    return this.rooms.get(appealId)?.has(connectionId) ?? false;
  }

  /** The room's people, one entry per user, in order of arrival. */
  people(appealId: string): PresencePerson[] {
    const byUser = new Map<string, PresencePerson>();
    for (const p of this.rooms.get(appealId)?.values() ?? []) if (!byUser.has(p.userId)) byUser.set(p.userId, p);
    return [...byUser.values()];
  }

  /** Rooms with at least one connection (for tests and the wall). */
  roomCount(): number {
    return this.rooms.size;
  }
}

function samePeople(a: PresencePerson[], b: PresencePerson[]): boolean {
  return a.length === b.length && a.every((p, i) => p.userId === b[i]?.userId && p.roomRole === b[i].roomRole);
}
