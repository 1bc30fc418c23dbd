/**
 * Notifications in the Store port: each person's journal (one record per
 * notice, with each channel's delivery state), their settings, and their
 * web-push subscriptions (one per device). The contract suite pins each rule
 * on each adapter (test/contract/notifications.contract.ts).
 */
import type { DeliveryState, NotificationChannel, NotificationKind, NotificationSettings } from '../../shared/schemas/notification.schema.js';

export interface DeliveryRecord {
  state: DeliveryState;
  /** When it reached that state (null while pending). */
  at: number | null;
  error: string | null;
}

export interface NotificationRecord {
  /** Derived from the event and the person, so a second copy of one event adds nothing. */
  id: string;
  userId: string;
  kind: NotificationKind;
  /** What happened, e.g. `status.registered`, `action.info_requested`, `deadline.reminder`. */
  topic: string;
  appealId: string | null;
  appealNumber: string | null;
  /** In the person's language at the time. */
  title: string;
  body: string;
  link: string | null;
  at: number;
  readAt: number | null;
  deliveries: Partial<Record<NotificationChannel, DeliveryRecord>>;
}

export interface NotificationSettingsRecord extends NotificationSettings {
  userId: string;
  updatedAt: number;
}

export interface PushSubscriptionRecord {
  /** sha256 of the endpoint: one record per device. */
  id: string;
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  createdAt: number;
}

export interface NotificationRepo {
  /** Stores the notice unless one with its id exists; true when stored. */
  create(n: NotificationRecord): Promise<boolean>;
  get(id: string): Promise<NotificationRecord | null>;
  /** The person's notices, newest first — of equal `at`, the later stored first (`unreadOnly`: those not read). */
  list(userId: string, q: { limit: number; offset: number; unreadOnly?: boolean }): Promise<{ items: NotificationRecord[]; total: number }>;
  unreadCount(userId: string): Promise<number>;
  /** Marks the person's notices among `ids` read at `at` (or unread with null); returns how many changed. Others' ids change nothing. */
  mark(userId: string, ids: readonly string[], readAt: number | null): Promise<number>;
  /** Marks every unread notice of the person read; returns how many. */
  markAllRead(userId: string, at: number): Promise<number>;
  /** Sets one channel's delivery state on each of `ids`. */
  setDelivery(ids: readonly string[], channel: NotificationChannel, delivery: DeliveryRecord): Promise<void>;
  /** The person's notices whose `channel` delivery is pending, oldest first (of equal `at`, in the order stored). */
  pendingFor(userId: string, channel: NotificationChannel, limit: number): Promise<NotificationRecord[]>;
  getSettings(userId: string): Promise<NotificationSettingsRecord | null>;
  putSettings(settings: NotificationSettingsRecord): Promise<void>;
  /** Adds the device's subscription, or replaces the one with its endpoint (the device may have changed hands). */
  savePushSubscription(sub: PushSubscriptionRecord): Promise<void>;
  listPushSubscriptions(userId: string): Promise<PushSubscriptionRecord[]>;
  /** Removes the subscription with this id (of this user, when given); true when there was one. */
  deletePushSubscription(id: string, userId?: string): Promise<boolean>;
}
