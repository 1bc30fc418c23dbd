/**
 * Notifications (PRODUCT.md §6): the kinds, the channels, a person's
 * settings, the journal's entries and web-push subscriptions, as the REST
 * routes and the socket carry them.
 */
import { z } from 'zod';
import { APPEAL_TYPES, PRIORITIES } from './appeal.schema.js';
import { idSchema } from './common.schema.js';

/** статусные, требовательные, контрольные. */
export const NOTIFICATION_KINDS = ['status', 'action_required', 'deadline'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_CHANNELS = ['inapp', 'email', 'sms', 'push'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** Channels an action-required notice always takes, whatever the settings say. */
export const REQUIRED_CHANNELS: Readonly<Record<NotificationKind, readonly NotificationChannel[]>> = {
  status: [],
  action_required: ['inapp', 'email'],
  deadline: [],
};

export const DELIVERY_STATES = ['pending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The values the settings' filters offer (every one chosen means no filter). */
export const APPEAL_TYPES_FOR_SETTINGS = APPEAL_TYPES;
export const PRIORITIES_FOR_SETTINGS = PRIORITIES;

/** Longest deadline-proximity filter: the answer's 30 days plus an extension's 30. */
export const MAX_DEADLINE_WITHIN_DAYS = 60;

const kindName = z.enum(NOTIFICATION_KINDS, { error: (i) => `неизвестный вид уведомлений: ${String(i.input)}` });
const channelName = z.enum(NOTIFICATION_CHANNELS, { error: (i) => `неизвестный канал: ${String(i.input)}` });

/** An IANA time zone Node knows (Europe/Moscow, Asia/Vladivostok, …). */
export const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'неизвестный часовой пояс');

/**
 * One kind's channels and filters. A filter left null lets everything
 * through; an empty list or a non-positive proximity would let nothing
 * through and is refused (turn the channels off instead).
 */
export const kindSettingSchema = z.strictObject({
  channels: z
    .array(channelName)
    .max(NOTIFICATION_CHANNELS.length)
    .refine((c) => new Set(c).size === c.length, 'канал указан дважды'),
  appealTypes: z
    .array(z.enum(APPEAL_TYPES, { error: (i) => `неизвестный тип обращения: ${String(i.input)}` }))
    .min(1, 'фильтр по типу обращения без единого типа не пропустит ни одного уведомления')
    .max(APPEAL_TYPES.length)
    .nullable(),
  priorities: z
    .array(z.enum(PRIORITIES, { error: (i) => `неизвестный приоритет: ${String(i.input)}` }))
    .min(1, 'фильтр по приоритету без единого приоритета не пропустит ни одного уведомления')
    .max(PRIORITIES.length)
    .nullable(),
  /** Only appeals whose deadline is at most this many days away (overdue ones included). */
  deadlineWithinDays: z
    .number()
    .int('число дней — целое')
    .min(1, 'срок «не более чем через 0 дней» не пропустит ни одного уведомления')
    .max(MAX_DEADLINE_WITHIN_DAYS, `не больше ${MAX_DEADLINE_WITHIN_DAYS} дней`)
    .nullable(),
});
export type KindSetting = z.infer<typeof kindSettingSchema>;

export const notificationSettingsSchema = z.strictObject({
  language: z.enum(LANGUAGES, { error: 'язык: ru или en' }),
  timeZone: timeZoneSchema,
  kinds: z.record(z.string().max(64), kindSettingSchema).superRefine((kinds, ctx) => {
    for (const key of Object.keys(kinds)) {
      if (!kindName.safeParse(key).success) ctx.addIssue({ code: 'custom', path: [key], message: `неизвестный вид уведомлений: ${key}` });
    }
    for (const kind of NOTIFICATION_KINDS) {
      if (!(kind in kinds)) ctx.addIssue({ code: 'custom', path: [kind], message: `нет настроек вида ${kind}: нужны status, action_required и deadline` });
    }
  }),
});
export type NotificationSettings = { language: Language; timeZone: string; kinds: Record<NotificationKind, KindSetting> };

/** The settings a person has until they save their own. */
export function defaultNotificationSettings(): NotificationSettings {
  const all = { appealTypes: null, priorities: null, deadlineWithinDays: null };
  return {
    language: 'ru',
    timeZone: 'Europe/Moscow',
    kinds: {
      status: { channels: ['inapp', 'email'], ...all },
      action_required: { channels: ['inapp', 'email', 'push'], ...all },
      deadline: { channels: ['inapp', 'email'], ...all },
    },
  };
}

export const deliverySchema = z.object({
  state: z.enum(DELIVERY_STATES),
  at: z.number().nullable(),
  error: z.string().nullable(),
});

/** One entry of a person's journal. */
export const notificationSchema = z.object({
  id: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  topic: z.string(),
  appealId: idSchema.nullable(),
  appealNumber: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  /** Where the notice leads (the room), relative to the site. */
  link: z.string().nullable(),
  at: z.number(),
  readAt: z.number().nullable(),
  deliveries: z.partialRecord(z.enum(NOTIFICATION_CHANNELS), deliverySchema),
});
export type NotificationView = z.infer<typeof notificationSchema>;

/** A notice as the socket pushes it (`notification:new`): the entry without its delivery states. */
export type NotificationPush = Omit<NotificationView, 'readAt' | 'deliveries'>;

export const notificationListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  unread: z.enum(['true', 'false']).optional(),
});

export const notificationListReplySchema = z.object({ items: z.array(notificationSchema), total: z.number(), unread: z.number() });

/** Marks: `ids` read or unread, or `all` read. */
export const notificationMarkSchema = z.union([
  z.strictObject({ ids: z.array(z.string().min(1).max(200)).min(1).max(100), read: z.boolean() }),
  z.strictObject({ all: z.literal(true) }),
]);

export const unreadReplySchema = z.object({ unread: z.number() });

const base64url = (what: string) =>
  z
    .string({ error: `${what}: строка base64url` })
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what}: строка base64url`)
    .max(200);

/** A browser's PushSubscription.toJSON(). */
export const pushSubscriptionSchema = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/, error: 'адрес подписки (endpoint) — ссылка https' }).max(2000, 'адрес подписки слишком длинный'),
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject(
    {
      p256dh: base64url('ключ p256dh').refine((k) => decodedLength(k) === 65, 'ключ p256dh: открытый ключ P-256 (65 байт)'),
      auth: base64url('ключ auth').refine((k) => decodedLength(k) === 16, 'ключ auth: 16 байт'),
    },
    { error: 'нужны ключи p256dh и auth' },
  ),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionSchema>;

export const pushUnsubscribeSchema = z.strictObject({ endpoint: z.string().min(1).max(2000) });

export const pushKeyReplySchema = z.object({ publicKey: z.string() });

/** How many bytes a base64url string decodes to. */
function decodedLength(s: string): number {
  const body = s.replace(/=+$/, '');
  return Math.floor((body.length * 3) / 4);
}
