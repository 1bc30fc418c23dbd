/**
 * The in-app channel on the socket: every connection joins its person's room
 * (`user:<id>`), and each instance pushes the notification events it hears on
 * the bus to its own sockets there (`io.local`, so a person's tab gets each
 * once however many instances run): `notification:new` (a toast and the
 * bell's count) and `notification:unread` (the count after marks).
 */
import type { EventBus } from '../../domain/events.js';
import type { RealtimeServer } from './context.js';

export const userRoom = (userId: string): string => `user:${userId}`;

export function attachNotificationPush(io: RealtimeServer, bus: EventBus): () => void {
  io.on('connection', (socket) => {
    void socket.join(userRoom(socket.data.userId));
  });
  return bus.subscribe((event) => {
    if (event.type === 'notification.created') {
      io.local.to(userRoom(event.userId)).emit('notification:new', { notification: event.notification, unread: event.unread });
    } else if (event.type === 'notification.unread') {
      io.local.to(userRoom(event.userId)).emit('notification:unread', { unread: event.unread });
    }
  });
}
