/** The pure rules of notifications: SMS quiet hours, filters and channels, texts, VAPID keys kept in DATA_DIR. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVapidKeys, VAPID_FILE } from '../../server/channels/push.channel.js';
import { channelsFor, passesFilters } from '../../server/domain/notifications/notification.service.js';
import { isQuiet, smsAllowedAt } from '../../server/domain/notifications/quiet-hours.js';
import { composeMail, composeSms, render } from '../../server/domain/notifications/templates.js';
import { defaultNotificationSettings, notificationSettingsSchema, pushSubscriptionSchema } from '../../shared/schemas/notification.schema.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const tempDir = tempDirs('caseroom-vapid-');
const DAY = 86_400_000;

describe('SMS quiet hours', () => {
  it('22:00–08:00 local time is quiet; a message due then waits for 08:00 the same or the next morning', () => {
    const msk = 'Europe/Moscow';
    // 19:00 UTC = 22:00 Moscow.
    expect(isQuiet(Date.parse('2026-03-02T18:59:59Z'), msk)).toBe(false);
    expect(isQuiet(Date.parse('2026-03-02T19:00:00Z'), msk)).toBe(true);
    expect(smsAllowedAt(Date.parse('2026-03-02T20:00:00Z'), msk)).toBe(Date.parse('2026-03-03T05:00:00Z'));
    expect(smsAllowedAt(Date.parse('2026-03-02T02:30:00Z'), msk)).toBe(Date.parse('2026-03-02T05:00:00Z'));
    expect(smsAllowedAt(Date.parse('2026-03-02T05:00:00Z'), msk)).toBe(Date.parse('2026-03-02T05:00:00Z'));
    // Vladivostok (UTC+10): 23:00 there is 13:00 UTC; 08:00 next morning is 22:00 UTC.
    expect(smsAllowedAt(Date.parse('2026-03-02T13:00:00Z'), 'Asia/Vladivostok')).toBe(Date.parse('2026-03-02T22:00:00Z'));
    // Across a daylight-saving change (Berlin, 29 March 2026: 02:00 → 03:00): 08:00 CEST is 06:00 UTC.
    expect(smsAllowedAt(Date.parse('2026-03-28T22:00:00Z'), 'Europe/Berlin')).toBe(Date.parse('2026-03-29T06:00:00Z'));
  });
});

describe('filters and channels', () => {
  const appeal = { type: 'complaint' as const, priority: 'normal' as const, deadlineAt: Date.parse('2026-03-10T00:00:00Z') };
  const now = Date.parse('2026-03-02T00:00:00Z');

  it('a filter left null lets everything through; each set filter must match', () => {
    const all = { channels: ['email' as const], appealTypes: null, priorities: null, deadlineWithinDays: null };
    expect(passesFilters(all, appeal, now)).toBe(true);
    expect(passesFilters({ ...all, appealTypes: ['suggestion'] }, appeal, now)).toBe(false);
    expect(passesFilters({ ...all, priorities: ['high', 'urgent'] }, appeal, now)).toBe(false);
    expect(passesFilters({ ...all, deadlineWithinDays: 8 }, appeal, now)).toBe(true);
    expect(passesFilters({ ...all, deadlineWithinDays: 7 }, appeal, now)).toBe(false);
    expect(passesFilters({ ...all, deadlineWithinDays: 7 }, { ...appeal, deadlineAt: now - DAY }, now)).toBe(true);
    expect(passesFilters({ ...all, deadlineWithinDays: 7 }, { ...appeal, deadlineAt: null }, now)).toBe(false);
  });

  it('an action-required notice always takes in-app and e-mail; others only what the person chose', () => {
    const s = defaultNotificationSettings();
    s.kinds.action_required = { channels: ['sms'], appealTypes: ['suggestion'], priorities: null, deadlineWithinDays: null };
    s.kinds.status = { channels: ['push'], appealTypes: ['suggestion'], priorities: null, deadlineWithinDays: null };
    expect(channelsFor(s, 'action_required', appeal, now)).toEqual(['inapp', 'email']);
    expect(channelsFor(s, 'status', appeal, now)).toEqual([]);
    expect(channelsFor(s, 'status', { ...appeal, type: 'suggestion' }, now)).toEqual(['push']);
    expect(channelsFor(defaultNotificationSettings(), 'deadline', appeal, now)).toEqual(['inapp', 'email']);
  });

  it('settings that name an unknown channel or kind, or a filter that lets nothing through, are refused with the reason', () => {
    const base = defaultNotificationSettings();
    const messages = (input: unknown) => notificationSettingsSchema.safeParse(input).error?.issues.map((i) => i.message) ?? [];
    expect(messages(base)).toEqual([]);
    expect(messages({ ...base, kinds: { ...base.kinds, status: { ...base.kinds.status, channels: ['telegram'] } } })).toEqual(['неизвестный канал: telegram']);
    expect(messages({ ...base, kinds: { ...base.kinds, status: { ...base.kinds.status, channels: ['sms', 'sms'] } } })).toEqual(['канал указан дважды']);
    expect(messages({ ...base, kinds: { ...base.kinds, status: { ...base.kinds.status, priorities: ['critical'] } } })).toEqual([
      'неизвестный приоритет: critical',
    ]);
    expect(messages({ ...base, kinds: { ...base.kinds, spam: base.kinds.status } })).toContain('неизвестный вид уведомлений: spam');
  });

  it('a push subscription needs an http(s) endpoint, a 65-byte P-256 key and a 16-byte auth secret', () => {
    const key = Buffer.alloc(65, 4).toString('base64url');
    const auth = Buffer.alloc(16, 7).toString('base64url');
    expect(pushSubscriptionSchema.safeParse({ endpoint: 'https://push.example/abc', keys: { p256dh: key, auth } }).success).toBe(true);
    expect(pushSubscriptionSchema.safeParse({ endpoint: 'https://push.example/abc', keys: { p256dh: key, auth: key } }).error?.issues[0]?.message).toBe(
      'ключ auth: 16 байт',
    );
    expect(pushSubscriptionSchema.safeParse({ endpoint: 'ftp://x', keys: { p256dh: key, auth } }).success).toBe(false);
  });
});

describe('texts', () => {
  it('Russian and English titles by topic; plural forms of working days', () => {
    expect(render('deadline.reminder', 'ru', { number: '77-1', date: '10.03.2026', count: 1 }).body).toBe(
      'До срока по обращению № 77-1 осталось 1 рабочий день (10.03.2026).',
    );
    expect(render('deadline.reminder', 'ru', { number: '77-1', date: '10.03.2026', count: 3 }).body).toContain('3 рабочих дня');
    expect(render('deadline.reminder', 'ru', { number: '77-1', date: '10.03.2026', count: 5 }).body).toContain('5 рабочих дней');
    expect(render('deadline.reminder', 'en', { number: '77-1', date: '10/03/2026', count: 1 }).body).toBe(
      '1 working day left until the deadline of appeal No. 77-1 (10/03/2026).',
    );
    expect(render('status.registered', 'en', { number: '77-1' }).title).toBe('Appeal registered');
  });

  it('one mail for several notices: the numbers in the subject, every link in text and HTML, HTML escaped', () => {
    const m = composeMail(
      'ru',
      [
        { appealNumber: '77-1', title: 'A <b>', body: 'x', link: 'https://s/appeals/1' },
        { appealNumber: '77-2', title: 'B', body: 'y', link: 'https://s/appeals/2' },
      ],
      { journal: 'https://s/notifications', settings: 'https://s/notifications/settings' },
    );
    expect(m.subject).toBe('2 уведомления по обращениям № 77-1, 77-2');
    expect(m.text).toContain('https://s/appeals/1');
    expect(m.text).toContain('https://s/appeals/2');
    expect(m.html).toContain('A &lt;b&gt;');
    expect(m.html).not.toContain('<b>');
    expect(composeSms('ru', [{ appealNumber: '77-1', title: 'Обращение принято' }])).toBe('Госуслуги: обращение № 77-1 — Обращение принято.');
  });
});

describe('VAPID keys', () => {
  it('taken from the environment when given; else generated once into DATA_DIR (0600) and read back on the next start', async () => {
    const dir = await tempDir();
    expect(await loadVapidKeys({ dataDir: dir, publicKey: 'pub', privateKey: 'priv' })).toEqual({ publicKey: 'pub', privateKey: 'priv' });
    const first = await loadVapidKeys({ dataDir: dir });
    expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(first.privateKey, 'base64url')).toHaveLength(32);
    const file = path.join(dir, VAPID_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
    expect(await loadVapidKeys({ dataDir: dir })).toEqual(first);
  });
});
