/**
 * Live lists on the wire: `lists:watch` puts the socket in the socket.io rooms
 * of the channels `ListFeed.channelsOf` grants it; a domain event becomes one
 * `list:changed` hint to the rooms of `ListFeed.audienceOf`, on this
 * instance's sockets (every instance hears every event).
 */
import { listsWatchSchema } from '../../../shared/schemas/realtime.schema.js';
import { DomainError } from '../../domain/errors.js';
import type { DomainEvent } from '../../domain/events.js';
import type { ListChannel } from '../../domain/lists/list-feed.js';
import type { Viewer } from '../../domain/viewer.js';
import type { TokenBucket } from '../../lib/token-bucket.js';
import { rooms, type RealtimeContext, type RealtimeSocket } from './context.js';
import { handle } from './handle.js';

/** The socket.io room of a list channel. */
export function listRoom(channel: ListChannel): string {
  return channel.kind === 'department' ? rooms.departmentList(channel.id) : rooms.personList(channel.id);
}

/** The list rooms this viewer may be in (none for a role without lists): a recovered connection keeps these. */
export function listRoomsOf(ctx: RealtimeContext, viewer: Viewer): Set<string> {
  try {
    return new Set(ctx.lists.channelsOf(viewer).map(listRoom));
  } catch (err) {
    if (err instanceof DomainError) return new Set();
    throw err;
  }
}

export function registerListHandlers(ctx: RealtimeContext, socket: RealtimeSocket, bucket: TokenBucket): void {
  socket.on(
    'lists:watch',
    handle(
      socket,
      ctx.logger,
      'lists:watch',
      listsWatchSchema,
      async (_p, viewer): Promise<null> => {
        const channels = ctx.lists.channelsOf(viewer);
        await socket.join(channels.map(listRoom));
        ctx.listsWatched = true;
        return null;
      },
      { buckets: [bucket] },
    ),
  );
}

/** How long the hints of one appeal's chat are gathered into one (a busy room costs a list one read per interval). */
export const LIST_COALESCE_MS = 250;

/**
 * Tells the list watchers of this instance that an appeal's line changed.
 * Nothing is done while nobody here has watched a list. Chat messages are
 * coalesced per appeal (their audience needs a store read); other events go
 * at once.
 */
export function pushListChanged(ctx: RealtimeContext, event: DomainEvent): void {
  if (!ctx.listsWatched) return;
  if (event.type === 'chat.posted') {
    const appealId = event.message.appealId;
    const internal = event.message.internal;
    const key = `${appealId}:${internal ? 'staff' : 'all'}`;
    if (ctx.listSoon.has(key)) return;
    const timer = setTimeout(() => {
      ctx.listSoon.delete(key);
      send(ctx, event);
    }, LIST_COALESCE_MS);
    timer.unref();
    ctx.listSoon.set(key, timer);
    return;
  }
  send(ctx, event);
}

function send(ctx: RealtimeContext, event: DomainEvent): void {
  ctx.lists.audienceOf(event).then(
    (audience) => {
      if (!audience || audience.channels.length === 0) return;
      ctx.io.local.to(audience.channels.map(listRoom)).emit('list:changed', audience.hint);
    },
    (err: unknown) => {
      ctx.logger.error('list push failed', { error: String(err) });
    },
  );
}
