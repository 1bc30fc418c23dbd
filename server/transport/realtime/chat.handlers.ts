/**
 * Chat over the socket: send (persist, then ack, then broadcast), history by
 * sequence, read marks. Internal notes go to the staff room only.
 */
import type { ChatMessage } from '../../../shared/protocol/events.js';
import { chatHistorySchema, chatReadSchema, chatSendSchema } from '../../../shared/schemas/realtime.schema.js';
import { rooms, type RealtimeContext, type RealtimeSocket } from './context.js';
import type { TokenBucket } from '../../lib/token-bucket.js';
import { handle } from './handle.js';

export function registerChatHandlers(ctx: RealtimeContext, socket: RealtimeSocket, buckets: { any: TokenBucket; chat: TokenBucket }): void {
  socket.on(
    'chat:send',
    handle(
      socket,
      ctx.logger,
      'chat:send',
      chatSendSchema,
      async (p, viewer): Promise<ChatMessage> => {
        const { message, created } = await ctx.chat.send(viewer, p);
        // A resend returns the first ack and broadcasts nothing. Otherwise the
        // broadcast follows the commit with no await in between, so the room sees
        // messages in seq order. The sender has the ack; its other tabs get the event.
        if (created) socket.to(message.internal ? rooms.staff(p.appealId) : rooms.appeal(p.appealId)).emit('chat:message', message);
        return message;
      },
      { buckets: [buckets.any, buckets.chat] },
    ),
  );

  socket.on(
    'chat:history',
    handle(socket, ctx.logger, 'chat:history', chatHistorySchema, (p, viewer) => ctx.chat.page(viewer, p), { buckets: [buckets.any] }),
  );

  socket.on(
    'chat:read',
    handle(
      socket,
      ctx.logger,
      'chat:read',
      chatReadSchema,
      async (p, viewer): Promise<null> => {
        if (await ctx.chat.markRead(viewer, p.appealId, p.seq)) {
          // An observer's reading is the staff's business: the citizen is not shown that they are there.
          const observes = ctx.sessions.presence.roomRoleOf(p.appealId, socket.id) === 'observer';
          ctx.io.to(observes ? rooms.staff(p.appealId) : rooms.appeal(p.appealId)).emit('chat:read', { appealId: p.appealId, userId: viewer.id, seq: p.seq });
        }
        return null;
      },
      { buckets: [buckets.any] },
    ),
  );
}
