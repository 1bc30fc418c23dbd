/** Notifications on SQLite (notifications.port.ts): the journal, settings and push subscriptions. */
import type { NotificationRecord, NotificationRepo, NotificationSettingsRecord, PushSubscriptionRecord } from '../store.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const notifications = new Table<NotificationRecord>('notifications', {
  id: 'text',
  userId: 'text',
  kind: 'text',
  topic: 'text',
  appealId: 'text',
  appealNumber: 'text',
  title: 'text',
  body: 'text',
  link: 'text',
  at: 'int',
  readAt: 'int',
  deliveries: 'json',
});

const subscriptions = new Table<PushSubscriptionRecord>('push_subscriptions', {
  id: 'text',
  userId: 'text',
  endpoint: 'text',
  p256dh: 'text',
  auth: 'text',
  createdAt: 'int',
});

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export function sqliteNotifications(ctx: SqliteContext): NotificationRepo {
  return {
    create: (n) => ctx.write(() => ctx.run(`${notifications.insertSql()} ON CONFLICT (id) DO NOTHING`, notifications.params(n)).changes === 1),
    get: (id) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM notifications WHERE id = ?', id);
        return row ? notifications.decode(row) : null;
      }),
    list: (userId, q) =>
      ctx.read(() => {
        const unread = q.unreadOnly ? 'AND read_at IS NULL' : '';
        const items = ctx
          .all(`SELECT * FROM notifications WHERE user_id = ? ${unread} ORDER BY at DESC, rowid DESC LIMIT ? OFFSET ?`, userId, q.limit, q.offset)
          .map((r) => notifications.decode(r));
        const total = ctx.get(`SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? ${unread}`, userId)?.n as number;
        return { items, total };
      }),
    unreadCount: (userId) => ctx.read(() => ctx.get('SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL', userId)?.n as number),
    mark: (userId, ids, readAt) =>
      ctx.write(() => {
        if (ids.length === 0) return 0;
        const change = readAt === null ? 'read_at IS NOT NULL' : 'read_at IS NULL';
        return ctx.run(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND ${change} AND id IN (${placeholders(ids.length)})`, readAt, userId, ...ids)
          .changes;
      }),
    markAllRead: (userId, at) => ctx.write(() => ctx.run('UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL', at, userId).changes),
    setDelivery: (ids, channel, delivery) =>
      ctx.write(() => {
        if (ids.length === 0) return;
        ctx.run(
          `UPDATE notifications SET deliveries = json_set(deliveries, ?, json(?)) WHERE id IN (${placeholders(ids.length)})`,
          `$.${channel}`,
          JSON.stringify(delivery),
          ...ids,
        );
      }),
    pendingFor: (userId, channel, limit) =>
      ctx.read(() =>
        ctx
          .all(
            `SELECT * FROM notifications WHERE user_id = ? AND json_extract(deliveries, ?) = 'pending' ORDER BY at, rowid LIMIT ?`,
            userId,
            `$.${channel}.state`,
            limit,
          )
          .map((r) => notifications.decode(r)),
      ),
    getSettings: (userId) =>
      ctx.read(() => {
        const row = ctx.get('SELECT settings, updated_at FROM notification_settings WHERE user_id = ?', userId);
        if (!row) return null;
        return {
          ...(JSON.parse(row.settings as string) as Omit<NotificationSettingsRecord, 'userId' | 'updatedAt'>),
          userId,
          updatedAt: row.updated_at as number,
        };
      }),
    putSettings: (s) =>
      ctx.write(() => {
        const { userId, updatedAt, language, timeZone, kinds } = s;
        ctx.run(
          `INSERT INTO notification_settings (user_id, settings, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
          userId,
          JSON.stringify({ language, timeZone, kinds }),
          updatedAt,
        );
      }),
    savePushSubscription: (sub) =>
      ctx.write(() => {
        ctx.run(
          `${subscriptions.insertSql()} ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, endpoint = excluded.endpoint,
            p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
          subscriptions.params(sub),
        );
      }),
    listPushSubscriptions: (userId) =>
      ctx.read(() => ctx.all('SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id', userId).map((r) => subscriptions.decode(r))),
    deletePushSubscription: (id, userId) =>
      ctx.write(
        () =>
          (userId === undefined
            ? ctx.run('DELETE FROM push_subscriptions WHERE id = ?', id)
            : ctx.run('DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?', id, userId)
          ).changes === 1,
      ),
  };
}
