/**
 * Status: `status:change` calls the same AppealService.transition as REST; every
 * transition, from either side, reaches the room once as `status:changed`,
 * pushed from the bus event published after the change is durable.
 */
import type { HistoryEntry } from '../../../shared/protocol/events.js';
import { statusChangeSchema } from '../../../shared/schemas/realtime.schema.js';
import type { AppealAccess } from '../../domain/appeals/appeal.policy.js';
import type { StatusEntry } from '../../domain/events.js';
import { rooms, type RealtimeContext, type RealtimeSocket } from './context.js';
import type { TokenBucket } from '../../lib/token-bucket.js';
import { handle } from './handle.js';
import { pushWall } from './wall.handlers.js';

export function registerStatusHandlers(ctx: RealtimeContext, socket: RealtimeSocket, bucket: TokenBucket): void {
  socket.on(
    'status:change',
    handle(
      socket,
      ctx.logger,
      'status:change',
      statusChangeSchema,
      async (p, viewer) => {
        const { appealId, ...input } = p;
        const appeal = await ctx.appeals.transitionRecord(viewer, appealId, input);
        return { status: appeal.status, version: appeal.version };
      },
      { buckets: [bucket] },
    ),
  );
}

/** Pushes one transition to the room, then the wall line (in order per appeal). */
export function pushStatusChanged(ctx: RealtimeContext, appeal: AppealAccess, entry: StatusEntry): void {
  ctx.serial.run(appeal.id, async () => {
    const actorName = entry.actorId ? await ctx.names.nameOf(entry.actorId) : null;
    const wire: HistoryEntry = { ...entry, actorName };
    // Every instance hears the event and tells its own sockets.
    ctx.io.local.to(rooms.appeal(appeal.id)).emit('status:changed', { appealId: appeal.id, status: appeal.status, version: appeal.version, entry: wire });
  });
  pushWall(ctx, appeal.id);
}
