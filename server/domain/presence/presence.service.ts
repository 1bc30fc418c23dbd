/**
 * Who is in each room now, per connection, in this instance's memory, merged
 * with what the other instances report (`REDIS_URL`). A person with two tabs
 * is one entry in the list; they leave when their last connection does.
 * Names, roles and colours come from the server's record of
 * the connection, never from the client.
 */
import { colourOf } from '../../../shared/identity-colour.js';
import type { PresencePerson } from '../../../shared/protocol/events.js';
import { ROOM_ROLES } from '../../../shared/schemas/appeal.schema.js';

/** How often each instance tells the others everyone it has in its rooms (`REDIS_URL`). */
export const PRESENCE_REFRESH_MS = 10_000;
/** An instance not heard from for this long is taken to be gone, and its people with it. */
export const PRESENCE_EXPIRY_MS = 3 * PRESENCE_REFRESH_MS;

interface RemoteInstance {
  heardAt: number;
  rooms: Map<string, PresencePerson[]>;
}

/** What an instance publishes: its people per room; `full` when it lists every room it has. */
interface PresenceMessage {
  full: boolean;
  rooms: Record<string, PresencePerson[]>;
}

export class PresenceService {
  /** appealId → connection id → person (this instance's connections). */
  private readonly rooms = new Map<string, Map<string, PresencePerson>>();
  /** The people the other instances have, by instance id (`REDIS_URL`). */
  private readonly remote = new Map<string, RemoteInstance>();
  private link: { publish: (payload: string) => void; onRemoteChange: (appealId: string) => void } | null = null;
  private refresh: NodeJS.Timeout | null = null;

  /**
   * Joins the presence of the other instances: this instance's rooms are
   * published as they change and in full every PRESENCE_REFRESH_MS, and
   * `onRemoteChange` is told when another instance's people change what a
   * room shows. An instance silent for PRESENCE_EXPIRY_MS is forgotten.
   */
  linkTo(publish: (payload: string) => void, onRemoteChange: (appealId: string) => void): void {
    this.link = { publish, onRemoteChange };
    this.refresh = setInterval(() => {
      this.refreshLinked();
    }, PRESENCE_REFRESH_MS);
    this.refresh.unref();
    this.refreshLinked();
  }

  /** Takes in what another instance published; a malformed payload is ignored (false). */
  receiveRemote(instanceId: string, payload: string): boolean {
    const message = parsePresence(payload);
    if (!message) return false;
    let inst = this.remote.get(instanceId);
    if (!inst) {
      inst = { heardAt: 0, rooms: new Map() };
      this.remote.set(instanceId, inst);
    }
    inst.heardAt = Date.now();
    const touched = new Set(Object.keys(message.rooms));
    if (message.full) for (const appealId of inst.rooms.keys()) touched.add(appealId);
    const before = new Map([...touched].map((id) => [id, this.people(id)]));
    if (message.full) inst.rooms.clear();
    for (const [appealId, people] of Object.entries(message.rooms)) {
      if (people.length > 0) inst.rooms.set(appealId, people);
      else inst.rooms.delete(appealId);
    }
    for (const [appealId, was] of before) if (!samePeople(was, this.people(appealId))) this.link?.onRemoteChange(appealId);
    return true;
  }

  /** Stops the refresh timer. */
  close(): void {
    if (this.refresh) clearInterval(this.refresh);
    this.refresh = null;
    this.link = null;
  }

  /** Adds the connection to the room; true when the visible list changed. */
  join(appealId: string, connectionId: string, person: Omit<PresencePerson, 'colour'>): boolean {
    const before = this.people(appealId);
    // Only an instance linked to others publishes its own list.
    const localBefore = this.link ? this.localPeople(appealId) : null;
    let room = this.rooms.get(appealId);
    if (!room) {
      room = new Map();
      this.rooms.set(appealId, room);
    }
    room.set(connectionId, { ...person, colour: colourOf(person.userId) });
    this.publishIfChanged(appealId, localBefore);
    return !samePeople(before, this.people(appealId));
  }

  /** Removes the connection from the room; true when the visible list changed. */
  leave(appealId: string, connectionId: string): boolean {
    const room = this.rooms.get(appealId);
    if (!room?.has(connectionId)) return false;
    const before = this.people(appealId);
    // Only an instance linked to others publishes its own list.
    const localBefore = this.link ? this.localPeople(appealId) : null;
    room.delete(connectionId);
    if (room.size === 0) this.rooms.delete(appealId);
    this.publishIfChanged(appealId, localBefore);
    return !samePeople(before, this.people(appealId));
  }

  /** How this connection takes part in the room (`observer` for a supervisor watching), or null when it is not in it. */
  roomRoleOf(appealId: string, connectionId: string): PresencePerson['roomRole'] | null {
    return this.rooms.get(appealId)?.get(connectionId)?.roomRole ?? null;
  }

  /** Whether this connection is in the room. */
  has(appealId: string, connectionId: string): boolean {
    return this.rooms.get(appealId)?.has(connectionId) ?? false;
  }

  /** The room's people on every instance, one entry per user, this instance's first, in order of arrival. */
  people(appealId: string): PresencePerson[] {
    const byUser = new Map<string, PresencePerson>();
    for (const p of this.localPeople(appealId)) byUser.set(p.userId, p);
    for (const inst of this.remote.values()) {
      for (const p of inst.rooms.get(appealId) ?? []) if (!byUser.has(p.userId)) byUser.set(p.userId, p);
    }
    return [...byUser.values()];
  }

  /** Rooms with at least one connection (for tests and the wall). */
  roomCount(): number {
    return this.rooms.size;
  }

  /** This instance's people in the room, one entry per user, in order of arrival. */
  private localPeople(appealId: string): PresencePerson[] {
    const byUser = new Map<string, PresencePerson>();
    for (const p of this.rooms.get(appealId)?.values() ?? []) if (!byUser.has(p.userId)) byUser.set(p.userId, p);
    return [...byUser.values()];
  }

  private publishIfChanged(appealId: string, localBefore: PresencePerson[] | null): void {
    if (!this.link || !localBefore) return;
    const now = this.localPeople(appealId);
    if (samePeople(localBefore, now)) return;
    const message: PresenceMessage = { full: false, rooms: { [appealId]: now } };
    this.link.publish(JSON.stringify(message));
  }

  /** Publishes every room of this instance, and forgets instances that went silent. */
  private refreshLinked(): void {
    const link = this.link;
    if (!link) return;
    const message: PresenceMessage = { full: true, rooms: {} };
    for (const appealId of this.rooms.keys()) message.rooms[appealId] = this.localPeople(appealId);
    link.publish(JSON.stringify(message));
    const cutoff = Date.now() - PRESENCE_EXPIRY_MS;
    for (const [id, inst] of this.remote) {
      if (inst.heardAt >= cutoff) continue;
      const appealIds = [...inst.rooms.keys()];
      const before = new Map(appealIds.map((a) => [a, this.people(a)]));
      this.remote.delete(id);
      for (const [appealId, was] of before) if (!samePeople(was, this.people(appealId))) link.onRemoteChange(appealId);
    }
  }
}

function parsePresence(payload: string): PresenceMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const { full, rooms } = m as { full?: unknown; rooms?: unknown };
  if (typeof full !== 'boolean' || typeof rooms !== 'object' || rooms === null) return null;
  for (const people of Object.values(rooms)) {
    if (!Array.isArray(people) || !people.every(isPerson)) return null;
  }
  return { full, rooms: rooms as Record<string, PresencePerson[]> };
}

function isPerson(p: unknown): p is PresencePerson {
  if (typeof p !== 'object' || p === null) return false;
  const r = p as Record<string, unknown>;
  return (
    typeof r.userId === 'string' &&
    typeof r.name === 'string' &&
    typeof r.role === 'string' &&
    typeof r.colour === 'string' &&
    (ROOM_ROLES as readonly unknown[]).includes(r.roomRole)
  );
}

function samePeople(a: PresencePerson[], b: PresencePerson[]): boolean {
  return a.length === b.length && a.every((p, i) => p.userId === b[i]?.userId && p.roomRole === b[i].roomRole);
}
