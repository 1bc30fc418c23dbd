/**
 * The notification repository's contract (server/store/notifications.port.ts),
 * declared inside the Store contract (store.contract.ts) so that it runs on each adapter.
 */
import { describe, expect, it } from 'vitest';
import { defaultNotificationSettings } from '../../shared/schemas/notification.schema.js';
import type { NotificationRecord, Store } from '../../server/store/store.js';
import { T0 } from '../helpers/factories.js';

const notice = (id: string, over: Partial<NotificationRecord> = {}): NotificationRecord => ({
  id,
  userId: 'user-aaaaaaaaaa',
  kind: 'status',
  topic: 'status.registered',
  appealId: 'appeal-aaaaaaaa',
  appealNumber: '77-2026-000001',
  title: 'Обращение принято',
  body: 'Обращение № 77-2026-000001 зарегистрировано.',
  link: '/appeals/appeal-aaaaaaaa',
  at: T0,
  readAt: null,
  deliveries: { inapp: { state: 'sent', at: T0, error: null }, email: { state: 'pending', at: null, error: null } },
  ...over,
});

export function describeNotifications(s: () => Store): void {
  describe('notifications', () => {
    it('create stores a notice once by id; get reads it back whole', async () => {
      expect(await s().notifications.create(notice('n1'))).toBe(true);
      expect(await s().notifications.create(notice('n1', { title: 'другое' }))).toBe(false);
      expect(await s().notifications.get('n1')).toEqual(notice('n1'));
      expect(await s().notifications.get('none')).toBeNull();
    });

    it('list is the person’s journal, newest first, paged, with unread ones alone on request', async () => {
      for (let i = 1; i <= 5; i++) await s().notifications.create(notice(`n${i}`, { at: T0 + i, readAt: i % 2 === 0 ? T0 + 100 : null }));
      await s().notifications.create(notice('other', { userId: 'user-bbbbbbbbbb', at: T0 + 50 }));
      const page = await s().notifications.list('user-aaaaaaaaaa', { limit: 2, offset: 1 });
      expect([page.items.map((n) => n.id), page.total]).toEqual([['n4', 'n3'], 5]);
      const unread = await s().notifications.list('user-aaaaaaaaaa', { limit: 10, offset: 0, unreadOnly: true });
      expect([unread.items.map((n) => n.id), unread.total]).toEqual([['n5', 'n3', 'n1'], 3]);
      expect(await s().notifications.unreadCount('user-aaaaaaaaaa')).toBe(3);
      expect(await s().notifications.unreadCount('user-bbbbbbbbbb')).toBe(1);
    });

    it('mark sets read or unread on the person’s own notices only; markAllRead reads the rest', async () => {
      for (const id of ['a', 'b', 'c']) await s().notifications.create(notice(id));
      await s().notifications.create(notice('theirs', { userId: 'user-bbbbbbbbbb' }));
      expect(await s().notifications.mark('user-aaaaaaaaaa', ['a', 'b', 'theirs'], T0 + 5)).toBe(2);
      expect(await s().notifications.mark('user-aaaaaaaaaa', ['a'], T0 + 6)).toBe(0);
      expect((await s().notifications.get('theirs'))?.readAt).toBeNull();
      expect((await s().notifications.get('a'))?.readAt).toBe(T0 + 5);
      expect(await s().notifications.mark('user-aaaaaaaaaa', ['a'], null)).toBe(1);
      expect(await s().notifications.unreadCount('user-aaaaaaaaaa')).toBe(2);
      expect(await s().notifications.markAllRead('user-aaaaaaaaaa', T0 + 9)).toBe(2);
      expect(await s().notifications.unreadCount('user-aaaaaaaaaa')).toBe(0);
      expect(await s().notifications.unreadCount('user-bbbbbbbbbb')).toBe(1);
    });

    it('setDelivery changes one channel’s state; pendingFor finds a person’s pending ones oldest first', async () => {
      await s().notifications.create(notice('p2', { at: T0 + 2 }));
      await s().notifications.create(notice('p1', { at: T0 + 1 }));
      await s().notifications.create(notice('p3', { at: T0 + 3, deliveries: { inapp: { state: 'sent', at: T0, error: null } } }));
      expect((await s().notifications.pendingFor('user-aaaaaaaaaa', 'email', 10)).map((n) => n.id)).toEqual(['p1', 'p2']);
      await s().notifications.setDelivery(['p1'], 'email', { state: 'sent', at: T0 + 60_000, error: null });
      await s().notifications.setDelivery(['p2', 'p3'], 'sms', { state: 'failed', at: T0 + 61_000, error: 'gateway 503' });
      expect((await s().notifications.pendingFor('user-aaaaaaaaaa', 'email', 10)).map((n) => n.id)).toEqual(['p2']);
      expect((await s().notifications.get('p1'))?.deliveries).toEqual({
        inapp: { state: 'sent', at: T0, error: null },
        email: { state: 'sent', at: T0 + 60_000, error: null },
      });
      expect((await s().notifications.get('p3'))?.deliveries.sms).toEqual({ state: 'failed', at: T0 + 61_000, error: 'gateway 503' });
    });

    it('settings: none until saved; saved settings replace the earlier ones', async () => {
      expect(await s().notifications.getSettings('user-aaaaaaaaaa')).toBeNull();
      const first = { ...defaultNotificationSettings(), userId: 'user-aaaaaaaaaa', updatedAt: T0 };
      await s().notifications.putSettings(first);
      expect(await s().notifications.getSettings('user-aaaaaaaaaa')).toEqual(first);
      const second = {
        ...first,
        language: 'en' as const,
        timeZone: 'Asia/Vladivostok',
        kinds: {
          ...first.kinds,
          status: { channels: ['sms' as const], appealTypes: ['complaint' as const], priorities: ['high' as const], deadlineWithinDays: 3 },
        },
        updatedAt: T0 + 1,
      };
      await s().notifications.putSettings(second);
      expect(await s().notifications.getSettings('user-aaaaaaaaaa')).toEqual(second);
    });

    it('push subscriptions: one per device id, listed per person, removed by id (and by owner when named)', async () => {
      const sub = { id: 'dev1', userId: 'user-aaaaaaaaaa', endpoint: 'https://push.example/1', p256dh: 'BPk', auth: 'au', createdAt: T0 };
      await s().notifications.savePushSubscription(sub);
      await s().notifications.savePushSubscription({ ...sub, id: 'dev2', endpoint: 'https://push.example/2', createdAt: T0 + 1 });
      await s().notifications.savePushSubscription({ ...sub, auth: 'new', createdAt: T0 + 2 });
      expect((await s().notifications.listPushSubscriptions('user-aaaaaaaaaa')).map((x) => [x.id, x.auth])).toEqual([
        ['dev2', 'au'],
        ['dev1', 'new'],
      ]);
      expect(await s().notifications.deletePushSubscription('dev2', 'user-bbbbbbbbbb')).toBe(false);
      expect(await s().notifications.deletePushSubscription('dev2', 'user-aaaaaaaaaa')).toBe(true);
      expect(await s().notifications.deletePushSubscription('dev1')).toBe(true);
      expect(await s().notifications.deletePushSubscription('dev1')).toBe(false);
      expect(await s().notifications.listPushSubscriptions('user-aaaaaaaaaa')).toEqual([]);
    });
  });
}
