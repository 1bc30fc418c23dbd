/**
 * Rooms on the wire: room:join, room:leave, room:sync, typing:set and the
 * disconnect, each one call of RoomSessions (the domain decides the grant,
 * presence and typing); here only which socket.io rooms a socket is in and
 * what is emitted to whom.
 */
import type { RoomJoined } from '../../../shared/protocol/events.js';
import { roomJoinSchema, roomLeaveSchema, roomSyncSchema, typingSchema } from '../../../shared/schemas/realtime.schema.js';
import { DomainError } from '../../domain/errors.js';
import type { Connection } from '../../domain/rooms/room-sessions.js';
import type { RoomGrant } from '../../domain/rooms/room-access.js';
import type { TokenBucket } from '../../lib/token-bucket.js';
import { appealIdOfRoom, rooms, viewerOf, type RealtimeContext, type RealtimeSocket } from './context.js';
import { handle } from './handle.js';
import { listRoomsOf } from './lists.handlers.js';
import { pushWall } from './wall.handlers.js';

/** The connection a socket is, for RoomSessions. */
function connectionOf(socket: RealtimeSocket): Connection {
  return { id: socket.id, viewer: viewerOf(socket), name: socket.data.name };
}

export function registerRoomHandlers(ctx: RealtimeContext, socket: RealtimeSocket, bucket: TokenBucket): void {
  const opts = { buckets: [bucket] };

  socket.on(
    'room:join',
    handle(
      socket,
      ctx.logger,
      'room:join',
      roomJoinSchema,
      async (p, viewer): Promise<RoomJoined> => {
        await ctx.sessions.check(viewer, p.appealId);
        // Join first, then read: whatever commits from here on arrives as an event,
        // and everything before is in the reads below (the client drops repeats by seq).
        await socket.join(rooms.appeal(p.appealId));
        const grant = await enter(ctx, socket, p.appealId);
        const since = p.since ?? null;
        const missed = since ? await ctx.sessions.missedSince(viewer, grant, since.chatSeq, since.historySeq) : { messages: [], history: [] };
        const readMarks = await ctx.sessions.readMarks(grant);
        return {
          appealId: p.appealId,
          status: grant.appeal.status,
          // Taken after the last read: the socket is in the room already, so a
          // `presence:changed` pushed during the reads went out before this ack,
          // and an older snapshot here would undo it. As this person may see it.
          presence: ctx.sessions.peopleFor(p.appealId, grant),
          readMarks,
          canWrite: grant.canWrite,
          isStaff: grant.isStaff,
          ...missed,
        };
      },
      opts,
    ),
  );

  socket.on(
    'room:leave',
    handle(
      socket,
      ctx.logger,
      'room:leave',
      roomLeaveSchema,
      (p) => {
        leaveRoom(ctx, socket, p.appealId);
        return Promise.resolve(null);
      },
      opts,
    ),
  );

  socket.on(
    'room:sync',
    handle(
      socket,
      ctx.logger,
      'room:sync',
      roomSyncSchema,
      async (p, viewer) => {
        const grant = await ctx.sessions.check(viewer, p.appealId);
        return ctx.sessions.missedSince(viewer, grant, p.afterChatSeq, p.afterHistorySeq);
      },
      opts,
    ),
  );

  // No ack: a bad or unauthorised typing flag is dropped silently.
  socket.on('typing:set', (payload: unknown) => {
    const parsed = typingSchema.safeParse(payload);
    if (!parsed.success || !bucket.take()) return;
    const { appealId, isTyping } = parsed.data;
    if (!socket.rooms.has(rooms.appeal(appealId))) return;
    if (ctx.sessions.setTyping(connectionOf(socket), appealId, isTyping)) {
      socket.to(rooms.appeal(appealId)).emit('typing:changed', { appealId, userId: socket.data.userId, name: socket.data.name, isTyping });
    }
  });

  socket.on('disconnecting', () => {
    for (const room of socket.rooms) {
      const appealId = appealIdOfRoom(room);
      if (appealId) dropPresence(ctx, socket, appealId);
    }
  });
}

/**
 * Enters after joining the socket.io room (closing the race with a revocation
 * in between): a refusal takes the socket out again; otherwise it goes in or
 * out of the staff room, and a change of presence is announced.
 */
async function enter(ctx: RealtimeContext, socket: RealtimeSocket, appealId: string): Promise<RoomGrant> {
  let entered;
  try {
    entered = await ctx.sessions.enter(connectionOf(socket), appealId);
  } catch (err) {
    if (err instanceof DomainError) leaveRoom(ctx, socket, appealId);
    throw err;
  }
  if (entered.grant.isStaff) await socket.join(rooms.staff(appealId));
  else await socket.leave(rooms.staff(appealId));
  if (entered.presenceChanged) announcePresence(ctx, appealId);
  return entered.grant;
}

/**
 * Tells this instance's sockets in the room who is there now, on every
 * instance: each instance announces to its own sockets, after a change of its
 * own or one another instance reported (PresenceService publishes its own).
 * The staff hear everyone, observers marked; the others (the citizen) the
 * list without observers, and only when that list changed.
 */
export function announcePresence(ctx: RealtimeContext, appealId: string): void {
  const news = ctx.sessions.presenceNews(appealId);
  ctx.io.local.to(rooms.staff(appealId)).emit('presence:changed', { appealId, people: news.staff });
  if (news.others) ctx.io.local.to(rooms.appeal(appealId)).except(rooms.staff(appealId)).emit('presence:changed', { appealId, people: news.others });
  pushWall(ctx, appealId);
}

function dropPresence(ctx: RealtimeContext, socket: RealtimeSocket, appealId: string): void {
  const left = ctx.sessions.leave(connectionOf(socket), appealId);
  if (left.typingStopped) {
    socket.to(rooms.appeal(appealId)).emit('typing:changed', { appealId, userId: socket.data.userId, name: socket.data.name, isTyping: false });
  }
  if (left.presenceChanged) announcePresence(ctx, appealId);
}

/** Takes the socket out of the room (both socket.io rooms) and out of presence. */
export function leaveRoom(ctx: RealtimeContext, socket: RealtimeSocket, appealId: string): void {
  void socket.leave(rooms.appeal(appealId));
  void socket.leave(rooms.staff(appealId));
  dropPresence(ctx, socket, appealId);
}

/**
 * Re-checks the access of this instance's sockets in the room (all of them, or
 * only those of `userIds`): a socket that lost access gets `room:revoked` and is
 * removed; one whose staff standing changed moves in or out of the staff room.
 */
export async function recheckRoom(ctx: RealtimeContext, appealId: string, userIds?: string[]): Promise<void> {
  const ids = ctx.io.of('/').adapter.rooms.get(rooms.appeal(appealId));
  for (const id of [...(ids ?? [])]) {
    const socket = ctx.io.of('/').sockets.get(id);
    if (!socket || (userIds && !userIds.includes(socket.data.userId))) continue;
    await recheckSocket(ctx, socket, appealId);
  }
}

/**
 * Before a recovered connection is accepted (its middleware, after the
 * cookie's session was matched to the restored one): every restored room is
 * decided again, and the socket leaves those it may no longer be in, so that
 * nothing missed there is replayed. Returns the appeals whose access is gone
 * (told with `room:revoked` once connected). A failure of ours refuses the
 * connection.
 */
export async function vetRestoredRooms(ctx: RealtimeContext, socket: RealtimeSocket): Promise<string[]> {
  const viewer = viewerOf(socket);
  const revoked: string[] = [];
  const appealIds = new Set<string>();
  const lists = listRoomsOf(ctx, viewer);
  for (const room of [...socket.rooms]) {
    if (room === socket.id || room === rooms.session(viewer.sessionId) || lists.has(room)) continue;
    const appealId = appealIdOfRoom(room) ?? staffAppealIdOfRoom(room);
    if (appealId) appealIds.add(appealId);
    else if (room !== rooms.wall(viewer.departmentId ?? '') || viewer.role !== 'supervisor') await socket.leave(room);
  }
  for (const appealId of appealIds) {
    let isStaff = false;
    try {
      isStaff = (await ctx.sessions.check(viewer, appealId)).isStaff;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (socket.rooms.has(rooms.appeal(appealId))) revoked.push(appealId);
      await socket.leave(rooms.appeal(appealId));
    }
    if (!isStaff || !socket.rooms.has(rooms.appeal(appealId))) await socket.leave(rooms.staff(appealId));
  }
  return revoked;
}

function staffAppealIdOfRoom(room: string): string | null {
  const m = /^appeal:([A-Za-z0-9_-]+):staff$/.exec(room);
  return m?.[1] ?? null;
}

/** After a recovered reconnection: the restored rooms are checked again, presence restored. */
export async function restoreRooms(ctx: RealtimeContext, socket: RealtimeSocket): Promise<void> {
  for (const room of [...socket.rooms]) {
    const appealId = appealIdOfRoom(room);
    if (appealId) await recheckSocket(ctx, socket, appealId);
  }
}

async function recheckSocket(ctx: RealtimeContext, socket: RealtimeSocket, appealId: string): Promise<void> {
  let entered;
  try {
    entered = await ctx.sessions.recheck(connectionOf(socket), appealId);
  } catch (err) {
    // Our failure: the socket stays until the next check.
    ctx.logger.error('room re-check failed', { appealId, error: String(err) });
    return;
  }
  if (!entered) {
    leaveRoom(ctx, socket, appealId);
    socket.emit('room:revoked', { appealId });
    return;
  }
  if (entered.grant.isStaff) await socket.join(rooms.staff(appealId));
  else await socket.leave(rooms.staff(appealId));
  if (entered.presenceChanged) announcePresence(ctx, appealId);
}
