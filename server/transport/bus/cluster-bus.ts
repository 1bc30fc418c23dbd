/**
 * The domain event bus across instances. An event runs this instance's
 * handlers at once (as the LocalBus does) and is published to the others,
 * where it runs theirs. Every subscriber acts on its own instance's
 * connections only — it pushes to its own sockets, closes its own Yjs
 * connections, forgets its own remembered grants — so each client hears of an
 * event exactly once, from the instance it is connected to.
 */
import { LocalBus, parseDomainEvent, type DomainEvent, type EventBus } from '../../domain/events.js';
import type { Logger } from '../../lib/logger.js';
import type { ClusterLink } from './cluster-link.js';

export class ClusterBus implements EventBus {
  private readonly local = new LocalBus();

  private constructor(private readonly link: ClusterLink) {}

  /** Subscribes to the link before it is used, so no event published after this resolves is missed. */
  static async create(link: ClusterLink, logger: Logger): Promise<ClusterBus> {
    const bus = new ClusterBus(link);
    await link.subscribe('bus', (payload) => {
      const event = parseEvent(payload);
      if (event) bus.local.publish(event);
      else logger.warn('cluster bus: message dropped (not exactly a domain event)', { bytes: payload.length });
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

/** The event in a message from another instance, checked against its schema (server/domain/events.ts). */
function parseEvent(payload: Buffer): DomainEvent | null {
  try {
    return parseDomainEvent(JSON.parse(payload.toString('utf8')));
  } catch {
    return null;
  }
}
