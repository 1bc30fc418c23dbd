/**
 * The supervisor's wall: `wall:watch` answers the department's rooms and
 * subscribes the socket to `wall:room` updates, pushed whenever a room's line
 * changes (message, presence, status, assignment).
 */
import type { WallRoom } from '../../../shared/protocol/events.js';
import { wallWatchSchema } from '../../../shared/schemas/realtime.schema.js';
import { rooms, type RealtimeContext, type RealtimeSocket } from './context.js';
import type { TokenBucket } from '../../lib/token-bucket.js';
import { handle } from './handle.js';

export function registerWallHandlers(ctx: RealtimeContext, socket: RealtimeSocket, bucket: TokenBucket): void {
  socket.on(
    'wall:watch',
    handle(
      socket,
      ctx.logger,
      'wall:watch',
      wallWatchSchema,
      async (_p, viewer): Promise<WallRoom[]> => {
        const departmentId = ctx.wall.departmentOf(viewer);
        // Subscribe before reading, so no change between the two is lost.
        await socket.join(rooms.wall(departmentId));
        ctx.watchedDepartments.add(departmentId);
        return ctx.wall.rooms(viewer);
      },
      { buckets: [bucket] },
    ),
  );
}

/**
 * Recomputes the room's wall line and sends it to the department's watchers.
 * Skipped when nobody on this instance watches; serialised per appeal so that a
 * newer line is never overtaken by an older one.
 */
export function pushWall(ctx: RealtimeContext, appealId: string): void {
  if (ctx.watchedDepartments.size === 0) return;
  ctx.serial.run(appealId, async () => {
    const found = await ctx.wall.rowById(appealId);
    const dep = found?.departmentId;
    if (!found || !dep || !ctx.watchedDepartments.has(dep)) return;
    if (!ctx.io.of('/').adapter.rooms.has(rooms.wall(dep))) {
      ctx.watchedDepartments.delete(dep);
      return;
    }
    // Each instance pushes to its own watchers, from its own figures (kept in step by the bus).
    ctx.io.local.to(rooms.wall(dep)).emit('wall:room', found.row);
  });
}

/** How long chat activity in one room is gathered into a single wall line. */
export const WALL_COALESCE_MS = 250;

/**
 * `pushWall` for chat messages: at most one line per room every
 * WALL_COALESCE_MS, sent after the burst with the figures as they are then, so
 * a busy room costs the wall one store read per interval instead of one per
 * message, and nothing of it runs on the message's own path.
 */
export function pushWallSoon(ctx: RealtimeContext, appealId: string): void {
  if (ctx.watchedDepartments.size === 0 || ctx.wallSoon.has(appealId)) return;
  const timer = setTimeout(() => {
    ctx.wallSoon.delete(appealId);
    pushWall(ctx, appealId);
  }, WALL_COALESCE_MS);
  timer.unref();
  ctx.wallSoon.set(appealId, timer);
}
