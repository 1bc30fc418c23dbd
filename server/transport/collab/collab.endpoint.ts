/**
 * The Yjs endpoint at `/yjs/<appealId>`: the y-websocket protocol over `ws` on
 * the one HTTP port.
 *
 * Handshake, all before any document is loaded: the appeal id must parse, the
 * Origin must be one of ours, the session cookie must resolve to a confirmed
 * account, and RoomAccess.enter must grant the room. A refusal is an HTTP reply
 * on the raw socket instead of the 101 (401 no session, 403 origin / unconfirmed
 * / not allowed, 404 no such room), so no WebSocket ever opens.
 *
 * Afterwards the bus keeps connections honest: a session that ends closes its
 * connections, and a change of an appeal's access re-checks everyone connected
 * to it; both close with ACCESS_REVOKED.
 *
 * Across instances (`REDIS_URL`), every update stored here and every awareness
 * entry published here goes to the other instances (cluster-relay.ts), which
 * apply it to the room if they have it loaded and pass it to their
 * connections. An instance without the room ignores it: the update is in the
 * Store, and awareness is only of the people connected.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import * as Y from 'yjs';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { colourOf } from '../../../shared/identity-colour.js';
import { CLOSE_CODES } from '../../../shared/protocol/close-codes.js';
import { ERROR_CODES } from '../../../shared/protocol/error-codes.js';
import { idSchema } from '../../../shared/schemas/common.schema.js';
import type { AccountService, LiveSession } from '../../domain/accounts/account.types.js';
import type { DescriptionService } from '../../domain/description/description.service.js';
import { DomainError } from '../../domain/errors.js';
import { ACCESS_FIELDS, type EventBus } from '../../domain/events.js';
import type { RoomAccess } from '../../domain/rooms/room-access.js';
import type { Viewer } from '../../domain/viewer.js';
import type { Logger } from '../../lib/logger.js';
import { sessionTokenOf } from '../http/request-context.js';
import type { UpgradeHandler } from '../upgrade-router.js';
import type { PeerIdentity } from './awareness-guard.js';
import { CollabRoom } from './collab-room.js';
import { updateMessage } from './protocol.js';
import type { ClusterLink } from '../bus/cluster-link.js';
import { decodeRelayed, encodeRelayed } from './cluster-relay.js';
import { REMOTE_ORIGIN } from '../../domain/description/room-context.js';
import { DEFAULT_REFUSAL_LOG, RefusalLog } from './refusal-log.js';
import { RoomConnection, type ConnectionOptions } from './room-connection.js';

/** The path prefix this endpoint claims on the upgrade router. */
export const COLLAB_PREFIX = '/yjs/';

/** Largest WebSocket frame; bigger frames are cut off by `ws` with 1009 before they are buffered. */
export const COLLAB_MAX_PAYLOAD = 256 * 1024;

export interface CollabDeps {
  accounts: AccountService;
  roomAccess: RoomAccess;
  description: DescriptionService;
  bus: EventBus;
  allowedOrigins: () => string[];
  logger: Logger;
  options?: Partial<ConnectionOptions>;
  /** The other instances (`REDIS_URL`). */
  cluster?: ClusterLink | null;
}

const DEFAULT_OPTIONS: ConnectionOptions = {
  updateRate: [50, 200],
  awarenessRate: [50, 200],
  closeGraceMs: 1000,
  echoAfterIdleMs: 10_000,
  refusalLog: DEFAULT_REFUSAL_LOG,
};

export class CollabEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: COLLAB_MAX_PAYLOAD, perMessageDeflate: false });
  private readonly rooms = new Map<string, CollabRoom>();
  private readonly options: ConnectionOptions;
  private readonly unsubscribe: (() => void)[] = [];
  private isAccepting = true;
  /** Warnings about refused frames: a few lines per user and window, the rest summarised (refusal-log.ts). */
  private readonly refusals: RefusalLog;
  /** Warnings about malformed relays from other instances, limited the same way. */
  private readonly relayDrops: RefusalLog;
  /** Resolves once the relay from the other instances is subscribed (at once with none). */
  readonly ready: Promise<void>;

  constructor(private readonly d: CollabDeps) {
    this.options = { ...DEFAULT_OPTIONS, ...d.options };
    this.refusals = new RefusalLog(d.logger, { line: 'yjs message refused', summary: 'yjs refused frames suppressed' }, this.options.refusalLog);
    this.relayDrops = new RefusalLog(
      d.logger,
      { line: 'yjs relay: message dropped', summary: 'yjs relay: dropped messages suppressed' },
      this.options.refusalLog,
    );
    this.unsubscribe.push(
      d.bus.subscribe((event) => {
        switch (event.type) {
          case 'session.ended':
            this.endSessions(event.sessionIds);
            break;
          case 'appeal.access_changed':
            this.recheck(event.appealId);
            break;
          case 'appeal.updated':
            if (event.changed.some((f) => ACCESS_FIELDS.has(f))) this.recheck(event.appeal.id);
            break;
          case 'appeal.status_changed':
          case 'appeal.redirected':
          case 'suggestion.marked':
            this.recheck(event.appeal.id);
            break;
          case 'appeal.escalated':
            this.recheck(event.original.id);
            break;
          case 'escalation.answered':
            break;
          case 'attachment.changed':
          case 'chat.posted':
          case 'description.versions_changed':
          case 'case.entry_added':
          case 'decision.issued':
          case 'feedback.changed':
          case 'notification.created':
          case 'notification.unread':
          case 'appeal.extended':
          case 'deadline.reminder':
          case 'deadline.missed':
          case 'resolution.autoconfirm_soon':
          case 'overdue.digest':
          case 'calendar.changed':
          case 'appeal.expert_joined':
          case 'export.ready':
          case 'account.pseudonymised':
            break;
        }
      }),
    );
    const cluster = d.cluster ?? null;
    this.unsubscribe.push(
      d.description.onUpdate((appealId, update, origin) => {
        this.rooms.get(appealId)?.broadcast(updateMessage(update), origin);
        if (cluster && origin !== REMOTE_ORIGIN) cluster.publish('yjs', encodeRelayed({ kind: 'update', appealId, update }));
      }),
    );
    this.ready = cluster
      ? cluster.subscribe('yjs', (payload) => {
          this.receiveRemote(payload);
        })
      : Promise.resolve();
  }

  /** What another instance relayed, for the room if it is loaded here. */
  private receiveRemote(payload: Buffer): void {
    const relayed = decodeRelayed(payload);
    if (!relayed) {
      this.relayDrops.note('relay', 'malformed', { bytes: payload.length });
      return;
    }
    const room = this.rooms.get(relayed.appealId);
    if (!room) return;
    if (relayed.kind === 'presence') {
      room.applyRemotePresence(relayed.entry);
      return;
    }
    room.ready
      .then((handle) => handle.room.applyRemote(relayed.update))
      .catch((err: unknown) => {
        this.d.logger.error('yjs relay: remote update not applied', { appealId: relayed.appealId, error: String(err) });
      });
  }

  /** For the upgrade router. */
  readonly handleUpgrade: UpgradeHandler = (req, socket, head) => {
    socket.on('error', () => undefined); // a peer resetting mid-handshake must not crash the process
    this.upgrade(req, socket, head).catch((err: unknown) => {
      this.d.logger.error('yjs handshake failed', { error: String(err) });
      refuse(socket, 500);
    });
  };

  /** The sessions of the open connections. */
  liveSessions(): LiveSession[] {
    return [...this.rooms.values()].flatMap((room) => [...room.conns].map((c) => ({ sessionId: c.viewer.sessionId, userId: c.viewer.id })));
  }

  /** Shutdown, step one: refuse new handshakes and close every connection (SHUTTING_DOWN); what the logs left out is summarised. */
  close(): void {
    this.isAccepting = false;
    for (const u of this.unsubscribe) u();
    for (const room of [...this.rooms.values()]) {
      for (const conn of [...room.conns]) conn.close(CLOSE_CODES.SHUTTING_DOWN, 'server shutting down');
    }
    this.wss.close();
    this.refusals.flush();
    this.relayDrops.flush();
  }

  /** Read through a call: the flag changes while a handshake awaits. */
  private isOpen(): boolean {
    return this.isAccepting;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (!this.isOpen()) {
      refuse(socket, 503);
      return;
    }
    const appealId = appealIdOf(req.url);
    if (!appealId) {
      refuse(socket, 404);
      return;
    }
    const origin = req.headers.origin;
    if (!origin || !this.d.allowedOrigins().includes(origin)) {
      refuse(socket, 403);
      return;
    }
    const token = sessionTokenOf(req.headers.cookie);
    const session = token ? await this.d.accounts.resolveSession(token) : null;
    if (!session) {
      refuse(socket, 401);
      return;
    }
    if (!session.user.emailConfirmed || !session.user.phoneConfirmed || session.user.consentRequired) {
      refuse(socket, 403);
      return;
    }
    let canWrite: boolean;
    try {
      canWrite = (await this.d.roomAccess.enter(session.viewer, appealId)).canWrite;
    } catch (err) {
      if (err instanceof DomainError) {
        refuse(socket, ERROR_CODES[err.code]);
        return;
      }
      throw err;
    }
    if (socket.destroyed) return;
    if (!this.isOpen()) {
      refuse(socket, 503);
      return;
    }
    const identity: PeerIdentity = {
      name: session.user.fullName,
      role: session.viewer.role,
      colour: colourOf(session.viewer.id),
      color: colourOf(session.viewer.id),
    };
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.join(ws, socket, appealId, session.viewer, identity, canWrite);
    });
  }

  private join(ws: WebSocket, socket: Duplex, appealId: string, viewer: Viewer, identity: PeerIdentity, canWrite: boolean): void {
    let room = this.rooms.get(appealId);
    if (!room) {
      const cluster = this.d.cluster;
      room = new CollabRoom(
        appealId,
        this.d.description,
        cluster
          ? (entry) => {
              cluster.publish('yjs', encodeRelayed({ kind: 'presence', appealId, entry }));
            }
          : null,
      );
      this.rooms.set(appealId, room);
    }
    const joined = room;
    const conn = new RoomConnection(ws, socket, joined, viewer, identity, canWrite, this.options, this.d.logger, this.refusals, (c) => {
      this.leave(joined, c);
    });
    joined.conns.add(conn);
    ws.on('message', (data: RawData) => {
      conn.receive(toBytes(data));
    });
    ws.on('close', () => {
      conn.close(1000, '');
    });
    ws.on('error', (err) => {
      this.d.logger.debug('yjs socket error', { error: String(err) });
    });
    joined.ready.then(
      (handle) => {
        conn.start(Y.encodeStateVector(handle.room.doc));
      },
      (err: unknown) => {
        this.d.logger.error('description load failed', { appealId, error: String(err) });
        conn.close(1011, 'document unavailable');
      },
    );
  }

  private leave(room: CollabRoom, conn: RoomConnection): void {
    if (!room.remove(conn)) return;
    if (this.rooms.get(room.appealId) === room) this.rooms.delete(room.appealId);
    room.dispose();
  }

  private endSessions(sessionIds: string[]): void {
    const ended = new Set(sessionIds);
    for (const room of [...this.rooms.values()]) {
      for (const conn of [...room.conns]) if (ended.has(conn.viewer.sessionId)) conn.close(CLOSE_CODES.ACCESS_REVOKED, 'session ended');
    }
  }

  /** Re-asks RoomAccess for everyone in the room; those who lost access are closed, the rest get their current write right. */
  private recheck(appealId: string): void {
    const room = this.rooms.get(appealId);
    if (!room) return;
    for (const conn of [...room.conns]) {
      this.d.roomAccess.enter(conn.viewer, appealId).then(
        (grant) => {
          if (conn.canWrite && !grant.canWrite) room.withdrawPresence(conn);
          conn.canWrite = grant.canWrite;
        },
        (err: unknown) => {
          if (err instanceof DomainError) conn.close(CLOSE_CODES.ACCESS_REVOKED, 'access withdrawn');
          else this.d.logger.error('yjs access re-check failed', { appealId, error: String(err) });
        },
      );
    }
  }
}

/** `/yjs/<appealId>` (query string ignored) → the id, or null. */
export function appealIdOf(url: string | undefined): string | null {
  if (!url?.startsWith(COLLAB_PREFIX)) return null;
  const path = url.slice(COLLAB_PREFIX.length).split('?')[0] ?? '';
  const parsed = idSchema.safeParse(path);
  return parsed.success ? parsed.data : null;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** An HTTP error instead of the 101, then the socket is closed. */
function refuse(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const body = STATUS_CODES[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${body}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
