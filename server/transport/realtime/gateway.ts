/**
 * The socket.io gateway on the shared HTTP server (`/socket.io/`): options
 * sized to the product, authentication, recovery, one handler file per area,
 * and the bus subscriptions that push changes made anywhere (REST included).
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { AccountService, LiveSession } from '../../domain/accounts/account.types.js';
import type { AppealService } from '../../domain/appeals/appeal.service.js';
import type { ChatService } from '../../domain/chat/chat.service.js';
import type { ListFeed } from '../../domain/lists/list-feed.js';
import type { UserNames } from '../../domain/chat/user-names.js';
import { ACCESS_FIELDS, type DomainEvent, type EventBus } from '../../domain/events.js';
import type { RoomSessions } from '../../domain/rooms/room-sessions.js';
import type { WallService } from '../../domain/wall/wall.service.js';
import type { Logger } from '../../lib/logger.js';
import type { UpgradeRouter } from '../upgrade-router.js';
import type { ClusterLink } from '../bus/cluster-link.js';
import { allowRequestFrom, authenticate, refusal } from './auth.middleware.js';
import { registerChatHandlers } from './chat.handlers.js';
import { rooms, SerialQueue, type RealtimeContext, type RealtimeServer, type RealtimeSocket } from './context.js';
import { TokenBucket } from '../../lib/token-bucket.js';
import { RecoveryAdapter } from './recovery-adapter.js';
import { announcePresence, recheckRoom, registerRoomHandlers, restoreRooms, vetRestoredRooms } from './room.handlers.js';
import { pushStatusChanged, registerStatusHandlers } from './status.handlers.js';
import { pushWall, pushWallSoon, registerWallHandlers } from './wall.handlers.js';
import { pushListChanged, registerListHandlers } from './lists.handlers.js';

/** Limits of one connection, sized to the product rather than the library defaults. */
export const REALTIME_LIMITS = {
  /**
   * Largest inbound message. The biggest legitimate one is chat:send with 4,000
   * characters (≤ 12 KB of UTF-8, up to 24 KB if every character were escaped)
   * plus the envelope; 64 KiB leaves room and refuses anything else. Beyond it
   * Engine.IO closes the connection.
   */
  maxMessageBytes: 64 * 1024,
  /** chat:send per connection: 10 a second, bursts of 20. */
  chatPerSec: 10,
  chatBurst: 20,
  /** All acknowledged events (and typing) per connection. */
  eventsPerSec: 30,
  eventsBurst: 60,
  /**
   * How long a dropped connection may come back with its rooms and missed
   * packets (past it, the catch-up by seq takes over). Covers a silent drop,
   * which takes up to pingInterval + pingTimeout (45 s) to notice on each side.
   */
  recoveryMs: 60 * 1000,
} as const;

/** How long closing waits for the sockets' leave handlers before the presence link stops. */
const SHUTDOWN_WAIT_MS = 2000;

export interface RealtimeDeps {
  http: HttpServer;
  upgrades: UpgradeRouter;
  accounts: AccountService;
  appeals: AppealService;
  /** Domain services the handlers call; composed in server/server.ts. */
  chat: ChatService;
  sessions: RoomSessions;
  names: UserNames;
  wall: WallService;
  /** Who may watch which live list (`lists:watch`) and who hears of a change. */
  lists: ListFeed;
  bus: EventBus;
  logger: Logger;
  allowedOrigins: () => string[];
  /** The other instances (`REDIS_URL`); without it this instance is the only one. */
  cluster?: ClusterLink | null;
}

export interface Realtime {
  io: RealtimeServer;
  chat: ChatService;
  /** Resolves once the links to the other instances are subscribed (at once with none). */
  ready: Promise<void>;
  /** The sessions of the connected sockets. */
  liveSessions(): LiveSession[];
  /** Disconnects every socket and stops the gateway (the HTTP server stays up). */
  close(): Promise<void>;
}

export function attachRealtime(d: RealtimeDeps): Realtime {
  // socket.io adds its own 'upgrade' listener; the router must let /socket.io/ through.
  d.upgrades.add('/socket.io/', () => undefined);
  const io: RealtimeServer = new Server(d.http, {
    path: '/socket.io/',
    serveClient: false,
    maxHttpBufferSize: REALTIME_LIMITS.maxMessageBytes,
    allowRequest: allowRequestFrom(d.allowedOrigins),
    // Other upgrade paths (/yjs/) belong to the UpgradeRouter, not to Engine.IO.
    destroyUpgrade: false,
    connectionStateRecovery: { maxDisconnectionDuration: REALTIME_LIMITS.recoveryMs, skipMiddlewares: false },
    adapter: RecoveryAdapter,
  });
  const guard = io.of('/').adapter;
  if (!(guard instanceof RecoveryAdapter)) throw new Error('socket.io did not take the recovery adapter');

  const { chat, names, sessions } = d;
  sessions.onTypingExpired((appealId, userId) => {
    io.to(rooms.appeal(appealId)).emit('typing:changed', { appealId, userId, name: names.cached(userId) ?? '', isTyping: false });
  });
  const ctx: RealtimeContext = {
    io,
    bus: d.bus,
    appeals: d.appeals,
    chat,
    sessions,
    names,
    wall: d.wall,
    logger: d.logger,
    serial: new SerialQueue((err) => {
      d.logger.error('realtime push failed', { error: String(err) });
    }),
    watchedDepartments: new Set(),
    wallSoon: new Map(),
    lists: d.lists,
    listsWatched: false,
    listSoon: new Map(),
  };

  // A recovered connection: which restored rooms it lost while away (told once connected).
  const revokedWhileAway = new WeakMap<RealtimeSocket, string[]>();
  io.use(authenticate({ accounts: d.accounts, names, allowedOrigins: d.allowedOrigins, logger: d.logger }));
  io.use((socket, next) => {
    if (!socket.recovered) {
      next();
      return;
    }
    vetRestoredRooms(ctx, socket).then(
      (revoked) => {
        revokedWhileAway.set(socket, revoked);
        next();
      },
      (err: unknown) => {
        d.logger.error('room re-check on recovery failed', { error: String(err) });
        next(refusal('INTERNAL', 'Внутренняя ошибка, попробуйте позже'));
      },
    );
  });
  io.on('connection', (socket) => {
    // First, before anything else reaches this socket: what it missed in the rooms it kept.
    if (socket.recovered && guard.replay(socket.id, (socket.handshake.auth as { offset?: unknown }).offset, socket.rooms) === null) {
      d.logger.info('recovery: missed packets no longer held; the client catches up by seq');
    }
    void socket.join(rooms.session(socket.data.sessionId));
    const any = new TokenBucket(REALTIME_LIMITS.eventsPerSec, REALTIME_LIMITS.eventsBurst);
    const chatBucket = new TokenBucket(REALTIME_LIMITS.chatPerSec, REALTIME_LIMITS.chatBurst);
    registerRoomHandlers(ctx, socket, any);
    registerChatHandlers(ctx, socket, { any, chat: chatBucket });
    registerStatusHandlers(ctx, socket, any);
    registerWallHandlers(ctx, socket, any);
    registerListHandlers(ctx, socket, any);
    if (socket.recovered) {
      for (const appealId of revokedWhileAway.get(socket) ?? []) socket.emit('room:revoked', { appealId });
      restoreRooms(ctx, socket).catch((err: unknown) => {
        d.logger.error('room restore failed', { error: String(err) });
      });
    }
  });

  // Every instance hears every domain event (the cluster bus) and pushes it to
  // its own sockets only (`io.local`), so each client gets it once. What a
  // handler broadcasts in answer to its own socket (chat, typing, read marks)
  // goes through the adapter, which relays it to the other instances.
  const cluster = d.cluster ?? null;
  const ready = cluster ? subscribeCluster(ctx, guard, cluster) : Promise.resolve();

  const onEvent = (event: DomainEvent): void => {
    // The live lists hear of every event that changes a line (list.handlers.ts decides which).
    pushListChanged(ctx, event);
    switch (event.type) {
      case 'appeal.status_changed':
        pushStatusChanged(ctx, event.appeal, event.entry);
        // Taking an appeal makes its taker the assignee: a supervisor stops being an observer.
        if (event.entry.action === 'take') ctx.serial.run(event.appeal.id, () => recheckRoom(ctx, event.appeal.id));
        return;
      case 'appeal.updated': {
        // The citizen's choice for experts (docs/privacy.md): everyone in the room reads the appeal again, its personal fields as they are now.
        if (event.changed.includes('privacy'))
          io.local.to(rooms.appeal(event.appeal.id)).emit('appeal:updated', { appealId: event.appeal.id, changed: ['privacy'] });
        // The plain text following the co-edited description changes nobody's access.
        const changed = event.changed.filter((f): f is 'assigneeId' | 'expertIds' => ACCESS_FIELDS.has(f));
        if (changed.length === 0) return;
        const appealId = event.appeal.id;
        guard.forgetRoom(rooms.appeal(appealId));
        ctx.serial.run(appealId, async () => {
          await recheckRoom(ctx, appealId);
          // Those still in the room read the appeal again: the assignee, and the actions offered to each.
          ctx.io.local.to(rooms.appeal(appealId)).emit('appeal:updated', { appealId, changed });
        });
        pushWall(ctx, appealId);
        return;
      }
      case 'appeal.expert_joined':
        // The room's history gets the note at once (its status stays): the citizen is told an expert joined.
        pushStatusChanged(ctx, event.appeal, event.entry);
        return;
      case 'appeal.access_changed':
        guard.forgetRoom(rooms.appeal(event.appealId));
        ctx.serial.run(event.appealId, () => recheckRoom(ctx, event.appealId, event.userIds));
        return;
      case 'description.versions_changed':
        io.local.to(rooms.appeal(event.appealId)).emit('description:versions', { appealId: event.appealId });
        return;
      case 'attachment.changed':
        io.local.to(rooms.appeal(event.appealId)).emit('attachment:changed', { appealId: event.appealId, kind: event.kind, attachment: event.attachment });
        return;
      case 'case.entry_added':
        // Only the entry's number: each client fetches it over REST, as that person may see it.
        io.local.to(rooms.appeal(event.appealId)).emit('entry:added', { appealId: event.appealId, seq: event.seq, kind: event.kind, authorId: event.authorId });
        return;
      case 'session.ended':
        guard.forgetSessions(event.sessionIds);
        for (const id of event.sessionIds) io.local.in(rooms.session(id)).disconnectSockets(true);
        return;
      case 'chat.posted':
        ctx.wall.noteMessage(event.message);
        pushWallSoon(ctx, event.message.appealId);
        return;
      case 'appeal.extended':
        // The room reads the appeal again: its clocks show the new deadline.
        io.local.to(rooms.appeal(event.appeal.id)).emit('appeal:updated', { appealId: event.appeal.id, changed: ['clocks'] });
        pushWall(ctx, event.appeal.id);
        return;
      case 'appeal.redirected':
        // The sending department's staff leave the room (the status change told those who stay).
        guard.forgetRoom(rooms.appeal(event.appeal.id));
        ctx.serial.run(event.appeal.id, () => recheckRoom(ctx, event.appeal.id));
        return;
      case 'decision.issued':
      case 'feedback.changed':
        // The room reads the appeal again: its decisions, the rating and the review's state.
        io.local.to(rooms.appeal(event.appeal.id)).emit('appeal:updated', { appealId: event.appeal.id, changed: ['outcome'] });
        return;
      case 'appeal.escalated':
        // The original room shows the escalation at once; the higher department's wall gets the new appeal.
        io.local.to(rooms.appeal(event.original.id)).emit('appeal:updated', { appealId: event.original.id, changed: ['links'] });
        pushWall(ctx, event.appeal.id);
        return;
      case 'escalation.answered':
        // The higher department's answer comes back into the original case, live.
        io.local.to(rooms.appeal(event.originalAppealId)).emit('appeal:updated', { appealId: event.originalAppealId, changed: ['links'] });
        return;
      case 'suggestion.marked':
        io.local.to(rooms.appeal(event.appeal.id)).emit('appeal:updated', { appealId: event.appeal.id, changed: ['links'] });
        return;
      case 'notification.created':
      case 'notification.unread':
      case 'deadline.reminder':
      case 'deadline.missed':
      case 'resolution.autoconfirm_soon':
      case 'overdue.digest':
      case 'calendar.changed':
      case 'export.ready':
      case 'account.pseudonymised':
        return;
    }
  };
  const unsubscribe = d.bus.subscribe(onEvent);

  return {
    io,
    chat,
    ready,
    liveSessions: () => [...io.of('/').sockets.values()].map((s) => ({ sessionId: s.data.sessionId, userId: s.data.userId })),
    close: async () => {
      unsubscribe();
      ctx.sessions.close();
      for (const timer of ctx.wallSoon.values()) clearTimeout(timer);
      ctx.wallSoon.clear();
      for (const timer of ctx.listSoon.values()) clearTimeout(timer);
      ctx.listSoon.clear();
      // The transports are closed, not the socket.io sessions: a client sees a
      // dropped connection and comes back (to this server restarted, or to
      // another instance) by itself, where socket.io's DISCONNECT would make it
      // give up as after a logout. The leave handlers run as each socket goes,
      // telling the other instances; the presence link stops after them.
      const sockets = [...io.of('/').sockets.values()];
      const gone = Promise.all(
        sockets.map(
          (s) =>
            new Promise<void>((r) => {
              if (s.disconnected) r();
              else
                s.once('disconnect', () => {
                  r();
                });
            }),
        ),
      );
      for (const s of sockets) s.conn.close();
      await Promise.race([
        gone,
        new Promise((r) => {
          setTimeout(r, SHUTDOWN_WAIT_MS).unref();
        }),
      ]);
      ctx.sessions.presence.close();
      io.engine.close();
    },
  };
}

/**
 * The links to the other instances: the broadcasts relayed between adapters,
 * and the people each instance has in its rooms (a change is announced here
 * with the merged list).
 */
async function subscribeCluster(ctx: RealtimeContext, guard: RecoveryAdapter, cluster: ClusterLink): Promise<void> {
  guard.relayTo((payload) => {
    cluster.publish('io', payload);
  });
  ctx.sessions.presence.linkTo(
    (payload) => {
      cluster.publish('presence', payload);
    },
    (appealId) => {
      announcePresence(ctx, appealId);
    },
  );
  await Promise.all([
    cluster.subscribe('io', (payload) => {
      if (!guard.receiveRemote(payload.toString('utf8'))) ctx.logger.warn('cluster: relayed broadcast dropped (malformed)');
    }),
    cluster.subscribe('presence', (payload, from) => {
      ctx.sessions.presence.receiveRemote(from, payload.toString('utf8'));
    }),
  ]);
}
