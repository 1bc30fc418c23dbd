/**
 * Chat over the socket: send (persist, then ack, then broadcast), edits and
 * withdrawals the same way, history by sequence, read marks. Internal notes
 * go to the staff room only; the earlier texts of an edited message too.
 */
import type { ChatMessage } from '../../../shared/protocol/events.js';
import { chatEditSchema, chatHistorySchema, chatReadSchema, chatSendSchema, chatWithdrawSchema } from '../../../shared/schemas/realtime.schema.js';
import { withoutRevisions } from '../../domain/chat/chat-edits.js';
import { rooms, type RealtimeContext, type RealtimeSocket } from './context.js';
import type { TokenBucket } from '../../lib/token-bucket.js';
import { handle } from './handle.js';
import type { ChatEditInput, ChatWithdrawInput } from '../../domain/chat/chat.service.js';
import type { Viewer } from '../../domain/viewer.js';

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

  // An edit or a withdrawal: persisted, acked, then broadcast like a message. The staff room gets the
  // entry with the earlier texts, the rest of the room (the citizen) without them; an internal note's
  // entry goes to the staff room only.
  const editHandler = async (p: ChatEditInput | ChatWithdrawInput, viewer: Viewer): Promise<ChatMessage> => {
    const { message, created, grant } = await ctx.chat.edit(viewer, p);
    if (created) {
      socket.to(rooms.staff(p.appealId)).emit('chat:edited', message);
      if (!message.internal) socket.to(rooms.appeal(p.appealId)).except(rooms.staff(p.appealId)).emit('chat:edited', withoutRevisions(message));
    }
    return grant.isStaff ? message : withoutRevisions(message);
  };
  socket.on('chat:edit', handle(socket, ctx.logger, 'chat:edit', chatEditSchema, editHandler, { buckets: [buckets.any, buckets.chat] }));
  socket.on('chat:withdraw', handle(socket, ctx.logger, 'chat:withdraw', chatWithdrawSchema, editHandler, { buckets: [buckets.any, buckets.chat] }));

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
