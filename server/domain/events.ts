/**
 * Domain events published after a change is durable. Transports (socket.io,
 * Yjs, notifications) subscribe; with REDIS_URL the bus spans instances.
 */
import type { ChatMessage } from '../../shared/protocol/events.js';
import type { AppealRecord, AttachmentRecord, StatusHistoryRecord } from '../store/store.js';

export type DomainEvent =
  | { type: 'appeal.status_changed'; appeal: AppealRecord; entry: StatusHistoryRecord }
  | { type: 'appeal.updated'; appeal: AppealRecord }
  | { type: 'appeal.access_changed'; appealId: string; userIds: string[] }
  | { type: 'session.ended'; sessionIds: string[]; userId: string }
  /** A version of the shared description was saved (or a restore made one). */
  | { type: 'description.versions_changed'; appealId: string }
  /** A file was added to a room, got a new version, or an earlier version was restored. */
  | { type: 'attachment.changed'; appealId: string; kind: 'added' | 'version' | 'restored'; attachment: AttachmentRecord }
  /**
   * A chat message was committed (published after its broadcast). Every
   * instance updates its wall figures from it; the message itself reaches the
   * room's sockets through socket.io, not through the bus.
   */
  | { type: 'chat.posted'; message: ChatMessage };

export interface EventBus {
  publish(event: DomainEvent): void;
  subscribe(handler: (event: DomainEvent) => void): () => void;
}

/** The in-process bus: handlers run synchronously, in subscription order. */
export class LocalBus implements EventBus {
  private readonly handlers = new Set<(event: DomainEvent) => void>();
  publish(event: DomainEvent): void {
    for (const h of this.handlers) h(event);
  }
  subscribe(handler: (event: DomainEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
}
