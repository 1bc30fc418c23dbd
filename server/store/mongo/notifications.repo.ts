/**
 * Notifications on MongoDB (notifications.port.ts), through the driver's own
 * collections: `notifications` (the journal, `_id` = the notice's id),
 * `notification_settings` (`_id` = the user) and `push_subscriptions`
 * (`_id` = sha256 of the endpoint). Filters are built here from checked
 * values; the channel in a path comes from the fixed list.
 */
import { mongo, type Connection } from 'mongoose';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../../../shared/schemas/notification.schema.js';
import type { NotificationRecord, NotificationRepo, NotificationSettingsRecord, PushSubscriptionRecord } from '../store.js';
import { isDuplicateKey } from './errors.js';
import { DURABLE } from './schemas.js';
import { num, type InFlight } from './sequence.js';

/** `order`: an ObjectId taken at insertion, the tiebreak of equal `at` (monotonic within a process, by time across). */
type NotificationDoc = Omit<NotificationRecord, 'id'> & { _id: string; order?: mongo.ObjectId };
type SettingsDoc = Omit<NotificationSettingsRecord, 'userId'> & { _id: string };
type SubscriptionDoc = Omit<PushSubscriptionRecord, 'id'> & { _id: string };

const str = (s: string): string => {
  if (typeof s !== 'string') throw new TypeError('expected a string');
  return s;
};
const channelOf = (c: NotificationChannel): NotificationChannel => {
  if (!NOTIFICATION_CHANNELS.includes(c)) throw new TypeError('unknown channel');
  return c;
};

const toRecord = ({ _id, order: _order, ...rest }: NotificationDoc): NotificationRecord => ({ id: _id, ...rest });

export function mongoNotifications(conn: Connection, inFlight: InFlight): { repo: NotificationRepo; init: () => Promise<void> } {
  const db = conn.db;
  if (!db) throw new Error('the MongoDB connection is not open');
  const journal = db.collection<NotificationDoc>('notifications', { writeConcern: DURABLE });
  const settings = db.collection<SettingsDoc>('notification_settings', { writeConcern: DURABLE });
  const subs = db.collection<SubscriptionDoc>('push_subscriptions', { writeConcern: DURABLE });

  const init = async (): Promise<void> => {
    await journal.createIndex({ userId: 1, at: -1, order: -1 }, { name: 'userId_1_at_-1_order_-1' }, undefined);
    await journal.createIndex({ userId: 1, readAt: 1 }, { name: 'userId_1_readAt_1' }, undefined);
    await subs.createIndex({ userId: 1, createdAt: 1 }, { name: 'userId_1_createdAt_1' }, undefined);
  };

  const repo: NotificationRepo = {
    create: (n) =>
      inFlight.track(async () => {
        const { id, ...rest } = n;
        try {
          await journal.insertOne({ _id: str(id), ...rest, order: new mongo.ObjectId() });
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      }),
    get: (id) =>
      inFlight.track(async () => {
        const d = await journal.findOne({ _id: str(id) });
        return d ? toRecord(d) : null;
      }),
    list: (userId, q) =>
      inFlight.track(async () => {
        const filter = q.unreadOnly ? { userId: str(userId), readAt: null } : { userId: str(userId) };
        const [docs, total] = await Promise.all([
          journal.find(filter).sort({ at: -1, order: -1 }).skip(num(q.offset)).limit(num(q.limit)).toArray(),
          journal.countDocuments(filter),
        ]);
        return { items: docs.map(toRecord), total };
      }),
    unreadCount: (userId) => inFlight.track(() => journal.countDocuments({ userId: str(userId), readAt: null })),
    mark: (userId, ids, readAt) =>
      inFlight.track(async () => {
        if (ids.length === 0) return 0;
        const r = await journal.updateMany(
          { _id: { $in: ids.map(str) }, userId: str(userId), readAt: readAt === null ? { $ne: null } : null },
          { $set: { readAt: readAt === null ? null : num(readAt) } },
        );
        return r.modifiedCount;
      }),
    markAllRead: (userId, at) =>
      inFlight.track(async () => (await journal.updateMany({ userId: str(userId), readAt: null }, { $set: { readAt: num(at) } })).modifiedCount),
    setDelivery: (ids, channel, delivery) =>
      inFlight.track(async () => {
        if (ids.length === 0) return;
        await journal.updateMany({ _id: { $in: ids.map(str) } }, { $set: { [`deliveries.${channelOf(channel)}`]: { ...delivery } } });
      }),
    pendingFor: (userId, channel, limit) =>
      inFlight.track(async () => {
        const docs = await journal
          .find({ userId: str(userId), [`deliveries.${channelOf(channel)}.state`]: 'pending' })
          .sort({ at: 1, order: 1 })
          .limit(num(limit))
          .toArray();
        return docs.map(toRecord);
      }),
    getSettings: (userId) =>
      inFlight.track(async () => {
        const d = await settings.findOne({ _id: str(userId) });
        if (!d) return null;
        const { _id, ...rest } = d;
        return { ...rest, userId: _id };
      }),
    putSettings: (s) =>
      inFlight.track(async () => {
        const { userId, ...rest } = s;
        await settings.replaceOne({ _id: str(userId) }, rest, { upsert: true });
      }),
    savePushSubscription: (sub) =>
      inFlight.track(async () => {
        const { id, ...rest } = sub;
        await subs.replaceOne({ _id: str(id) }, rest, { upsert: true });
      }),
    listPushSubscriptions: (userId) =>
      inFlight.track(async () => {
        const docs = await subs
          .find({ userId: str(userId) })
          .sort({ createdAt: 1, _id: 1 })
          .toArray();
        return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
      }),
    deletePushSubscription: (id, userId) =>
      inFlight.track(async () => {
        const r = await subs.deleteOne(userId === undefined ? { _id: str(id) } : { _id: str(id), userId: str(userId) });
        return r.deletedCount === 1;
      }),
  };
  return { repo, init };
}
