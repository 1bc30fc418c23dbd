/**
 * The domain event bus across instances. An event runs this instance's
 * handlers at once (as the LocalBus does) and is published to the others,
 * where it runs theirs. Every subscriber acts on its own instance's
 * connections only — it pushes to its own sockets, closes its own Yjs
 * connections, forgets its own remembered grants — so each client hears of an
 * event exactly once, from the instance it is connected to.
 */
import { LocalBus, type DomainEvent, type EventBus } from '../../domain/events.js';
import type { Logger } from '../../lib/logger.js';
import type { ClusterLink } from './cluster-link.js';

const EVENT_TYPES: ReadonlySet<string> = new Set<DomainEvent['type']>([
  'appeal.status_changed', 'appeal.updated', 'appeal.access_changed', 'session.ended', 'description.versions_changed', 'attachment.changed', 'chat.posted',
]);

export class ClusterBus implements EventBus {
  private readonly local = new LocalBus();

  private constructor(private readonly link: ClusterLink) {}

  /** Subscribes to the link before it is used, so no event published after this resolves is missed. */
  static async create(link: ClusterLink, logger: Logger): Promise<ClusterBus> {
    const bus = new ClusterBus(link);
    await link.subscribe('bus', (payload) => {
      const event = parseEvent(payload);
      if (event) bus.local.publish(event);
      else logger.warn('cluster bus: message dropped (not a domain event)', { bytes: payload.length });
    });
    return bus;
  }

  publish(event: DomainEvent): void {
    this.local.publish(event);
    this.link.publish('bus', JSON.stringify(event));
  }

  subscribe(handler: (event: DomainEvent) => void): () => void {
    return this.local.subscribe(handler);
  }
}

/** The event in a message from another instance (records are plain JSON: times are numbers, ids strings). */
function parseEvent(payload: Buffer): DomainEvent | null {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const type = (value as { type?: unknown }).type;
    return typeof type === 'string' && EVENT_TYPES.has(type) ? value as DomainEvent : null;
  } catch {
    return null;
  }
}
