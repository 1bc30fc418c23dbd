/**
 * Remembered room grants for the chat hot path: a connection that sends
 * messages to one room asks RoomAccess once, not once per message (each ask is
 * a read of the appeal from the store).
 *
 * A cached grant never outlives what it depends on. `appeal.status_changed` and
 * `appeal.updated` carry the appeal's new record (published after it is
 * durable): the room's grants are derived again from it, with no store read —
 * a status change in a busy room used to cost one read per connection — and a
 * grant the new record no longer allows is dropped. An event older than the
 * record a grant holds (a lower version) changes nothing. `appeal.access_changed`
 * (no record) forgets the room's grants; `session.ended` the session's. The
 * owner calls `onEvent` with every bus event, before anything else reacts to it.
 * A grant that was being read while such an event arrived is not kept. A short
 * time-to-live bounds what a missed event could cost. The grant's `appeal` is
 * the record as read or received then: use it for the access decision, not as
 * the appeal's current content.
 */
import type { Clock } from '../../lib/clock.js';
import type { DomainEvent } from '../events.js';
import type { Viewer } from '../viewer.js';
import type { AppealAccess } from '../appeals/appeal.policy.js';
import { writeGrantOf, type RoomAccess, type RoomGrant } from './room-access.js';

/** Longest a grant is reused without a fresh read, events or not. */
const TTL_MS = 10_000;
/** Grants kept at most; beyond it the cache starts over. */
const MAX_ENTRIES = 20_000;

interface Entry {
  grant: RoomGrant;
  /** Whose grant it is, to derive it again from a new record. */
  viewer: Viewer;
  sessionId: string;
  until: number;
}

export class RoomGrantCache {
  /** appealId → viewer key → entry. */
  private readonly byAppeal = new Map<string, Map<string, Entry>>();
  /** sessionId → appeal ids with a grant of that session. */
  private readonly bySession = new Map<string, Set<string>>();
  private size = 0;
  /** Bumped by every invalidation, so that a read racing with one is not cached. */
  private generation = 0;

  constructor(
    private readonly access: RoomAccess,
    private readonly clock: Clock,
  ) {}

  /** Like `RoomAccess.write`: the grant, or the same errors (errors are never cached). */
  async write(viewer: Viewer, appealId: string): Promise<RoomGrant> {
    const hit = this.cached(viewer, appealId);
    if (hit) return hit;
    const key = keyOf(viewer);
    const gen = this.generation;
    const grant = await this.access.write(viewer, appealId);
    if (gen === this.generation) this.remember(appealId, key, viewer, grant);
    return grant;
  }

  /** The remembered grant if it is still fresh; null otherwise (nothing is read). */
  cached(viewer: Viewer, appealId: string): RoomGrant | null {
    const hit = this.byAppeal.get(appealId)?.get(keyOf(viewer));
    return hit && hit.until > this.clock.now() ? hit.grant : null;
  }

  /** Forgets whatever the event may have changed. */
  onEvent(event: DomainEvent): void {
    switch (event.type) {
      case 'appeal.status_changed':
      case 'appeal.updated':
      case 'appeal.extended':
      case 'appeal.redirected':
        this.rederive(event.appeal);
        return;
      case 'appeal.escalated':
        this.rederive(event.original);
        this.rederive(event.appeal);
        return;
      case 'escalation.answered':
      case 'suggestion.marked':
        this.rederive(event.appeal);
        return;
      case 'appeal.access_changed':
        this.forgetAppeal(event.appealId);
        return;
      case 'session.ended':
        this.forgetSessions(event.sessionIds);
        return;
      // An expert joining comes with the invitation's appeal.updated, which re-derived the grants already.
      case 'attachment.changed':
      case 'chat.posted':
      case 'description.versions_changed':
      case 'case.entry_added':
      case 'decision.issued':
      case 'feedback.changed':
      case 'notification.created':
      case 'notification.unread':
      case 'deadline.reminder':
      case 'deadline.missed':
      case 'resolution.autoconfirm_soon':
      case 'overdue.digest':
      case 'calendar.changed':
      case 'appeal.expert_joined':
      case 'export.ready':
      case 'account.pseudonymised':
        return;
    }
  }

  /** Derives the appeal's grants again from its new record; drops those it no longer allows. */
  private rederive(appeal: AppealAccess): void {
    this.generation++;
    const entries = this.byAppeal.get(appeal.id);
    if (!entries) return;
    for (const [key, e] of entries) {
      if (e.grant.appeal.version >= appeal.version) continue;
      try {
        e.grant = writeGrantOf(e.viewer, appeal);
      } catch {
        // The key holds the session id: this was the session's one grant here.
        entries.delete(key);
        this.size--;
        this.bySession.get(e.sessionId)?.delete(appeal.id);
      }
    }
    if (entries.size === 0) this.byAppeal.delete(appeal.id);
  }

  forgetAppeal(appealId: string): void {
    this.generation++;
    const entries = this.byAppeal.get(appealId);
    if (!entries) return;
    this.byAppeal.delete(appealId);
    this.size -= entries.size;
    for (const e of entries.values()) this.bySession.get(e.sessionId)?.delete(appealId);
  }

  forgetSessions(sessionIds: readonly string[]): void {
    this.generation++;
    for (const sessionId of sessionIds) {
      const appealIds = this.bySession.get(sessionId);
      if (!appealIds) continue;
      this.bySession.delete(sessionId);
      for (const appealId of appealIds) {
        const entries = this.byAppeal.get(appealId);
        if (!entries) continue;
        for (const [key, e] of entries) {
          if (e.sessionId !== sessionId) continue;
          entries.delete(key);
          this.size--;
        }
        if (entries.size === 0) this.byAppeal.delete(appealId);
      }
    }
  }

  private remember(appealId: string, key: string, viewer: Viewer, grant: RoomGrant): void {
    const sessionId = viewer.sessionId;
    if (this.size >= MAX_ENTRIES) {
      this.byAppeal.clear();
      this.bySession.clear();
      this.size = 0;
    }
    let entries = this.byAppeal.get(appealId);
    if (!entries) this.byAppeal.set(appealId, (entries = new Map<string, Entry>()));
    if (!entries.has(key)) this.size++;
    entries.set(key, { grant, viewer, sessionId, until: this.clock.now() + TTL_MS });
    let appealIds = this.bySession.get(sessionId);
    if (!appealIds) this.bySession.set(sessionId, (appealIds = new Set<string>()));
    appealIds.add(appealId);
  }
}

/** Everything of the viewer that RoomAccess looks at, plus the session. */
function keyOf(v: Viewer): string {
  return `${v.sessionId}\n${v.id}\n${v.role}\n${v.departmentId ?? ''}`;
}
