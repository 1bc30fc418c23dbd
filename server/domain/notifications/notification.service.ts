/**
 * The notification service (PRODUCT.md §6, docs/notifications.md).
 *
 * A domain event → the people it concerns (recipients.ts) → for each, their
 * settings decide the channels (filters on appeal type, priority and
 * deadline proximity; an action-required notice always goes in-app and by
 * e-mail) → one journal entry per person and event, its id derived from both,
 * so that an event heard by every instance (REDIS_URL) or twice is journalled
 * once → the deliveries:
 *
 * - in-app: at once, as a `notification.created` domain event that every
 *   instance's socket gateway pushes to the person's open tabs (toast, bell);
 * - e-mail and SMS: a job per person and channel on the durable scheduler
 *   (`notify.email:<user>`, `notify.sms:<user>`) that sends every notice of
 *   theirs still pending in one message. The first goes at once; what arrives
 *   within `mergeWindowMs` (a minute) of a message sent waits and goes
 *   together. SMS waits for 08:00 between 22:00 and 08:00 in the person's
 *   time zone. A failure (SMTP down, gateway 5xx) is retried with backoff;
 *   after the last attempt the notices' delivery is marked failed;
 * - web push: a job per notice (`notify.push:<id>`), to each of the person's
 *   devices; a 404/410 from the push service removes that subscription.
 *
 * Nothing here runs on the path of the action that caused the event: the
 * bus handler starts the work and returns.
 */
import { createHash } from 'node:crypto';
import {
  NOTIFICATION_KINDS,
  REQUIRED_CHANNELS,
  defaultNotificationSettings,
  notificationSettingsSchema,
  pushSubscriptionSchema,
  type KindSetting,
  type NotificationChannel,
  type NotificationSettings,
  type NotificationView,
} from '../../../shared/schemas/notification.schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AppealRecord, NotificationRecord, NotificationSettingsRecord, Store } from '../../store/store.js';
import { DomainError, invalid, notFound } from '../errors.js';
import type { DomainEvent, EventBus } from '../events.js';
import type { Job, Scheduler } from '../jobs/scheduler.js';
import type { MailChannel, PushChannel, SmsChannel } from '../notify/ports.js';
import type { Viewer } from '../viewer.js';
import { smsAllowedAt } from './quiet-hours.js';
import { plan, type Recipient, type RecipientLookup } from './recipients.js';
import { composeMail, composeSms, formatDate, render } from './templates.js';

const DAY = 24 * 3_600_000;

/** The job kinds this service handles. */
export const NOTIFY_JOBS = { email: 'notify.email', sms: 'notify.sms', push: 'notify.push' } as const;

export interface NotificationLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface NotificationDeps {
  store: Store;
  clock: Clock;
  bus: EventBus;
  scheduler: Scheduler;
  mail: MailChannel;
  sms: SmsChannel;
  /** Null: web push is off (no keys). */
  push: PushChannel | null;
  /** The site's address, for links in e-mails (`https://…`, no trailing slash). */
  siteUrl: () => string;
  /** Who is in an appeal's room now: they see a chat message as it comes, so it is not notified. */
  presentIn?: (appealId: string) => ReadonlySet<string>;
  logger?: NotificationLogger;
}

export interface NotificationOptions {
  /** Notices of one person within this time of a message are merged into the next one (default 60 s). */
  mergeWindowMs?: number;
  /** Attempts of an e-mail, SMS or push delivery before it is marked failed (default 8). */
  maxAttempts?: number;
  /** Wait after the first failed attempt, doubled each time (default 30 s, at most 1 hour). */
  backoffMs?: number;
}

/** What a person's journal entry is, for the socket and REST. */
export function toNotificationView(n: NotificationRecord): NotificationView {
  return {
    id: n.id,
    kind: n.kind,
    topic: n.topic,
    appealId: n.appealId,
    appealNumber: n.appealNumber,
    title: n.title,
    body: n.body,
    link: n.link,
    at: n.at,
    readAt: n.readAt,
    deliveries: n.deliveries,
  };
}

/** A notice's id: from the event and the person, so that each event makes one notice per person however often it is heard. */
export const noticeId = (eventKey: string, userId: string): string => createHash('sha256').update(`${eventKey}\n${userId}`).digest('base64url').slice(0, 32);
const messageIdOf = (ids: readonly string[]): string => `<${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 40)}@caseroom.notify>`;
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/** Whether the notice passes a kind's filters for this appeal. */
export function passesFilters(setting: KindSetting, appeal: Pick<AppealRecord, 'type' | 'priority' | 'deadlineAt'> | null, now: number): boolean {
  if (!appeal) return setting.appealTypes === null && setting.priorities === null && setting.deadlineWithinDays === null;
  if (setting.appealTypes && appeal.type !== null && !setting.appealTypes.includes(appeal.type)) return false;
  if (setting.priorities && !setting.priorities.includes(appeal.priority)) return false;
  if (setting.deadlineWithinDays !== null) {
    if (appeal.deadlineAt === null) return false;
    if (appeal.deadlineAt - now > setting.deadlineWithinDays * DAY) return false;
  }
  return true;
}

/** The channels a notice of `kind` takes for this person and appeal. */
export function channelsFor(
  settings: NotificationSettings,
  kind: Recipient['kind'],
  appeal: Parameters<typeof passesFilters>[1],
  now: number,
): NotificationChannel[] {
  const setting = settings.kinds[kind];
  const chosen = passesFilters(setting, appeal, now) ? setting.channels : [];
  return [...new Set([...REQUIRED_CHANNELS[kind], ...chosen])];
}

export class NotificationService {
  private unsubscribe: (() => void) | null = null;
  private readonly mergeWindowMs: number;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly d: NotificationDeps,
    private readonly opts: NotificationOptions = {},
  ) {
    this.mergeWindowMs = opts.mergeWindowMs ?? 60_000;
    const retry = { maxAttempts: opts.maxAttempts ?? 8, backoffMs: opts.backoffMs ?? 30_000, maxBackoffMs: 3_600_000 };
    d.scheduler.handle(NOTIFY_JOBS.email, (job) => this.deliverMail(job), { ...retry, onFailed: (job, error) => this.failPending(job, 'email', error) });
    d.scheduler.handle(NOTIFY_JOBS.sms, (job) => this.deliverSms(job), { ...retry, onFailed: (job, error) => this.failPending(job, 'sms', error) });
    d.scheduler.handle(NOTIFY_JOBS.push, (job) => this.deliverPush(job), {
      ...retry,
      onFailed: async (job, error) => {
        const { id } = job.payload as { id: string };
        await this.d.store.notifications.setDelivery([id], 'push', { state: 'failed', at: this.d.clock.now(), error });
      },
    });
  }

  /** Hears the bus: each event's notices are worked out off the publisher's path. */
  start(): void {
    this.unsubscribe ??= this.d.bus.subscribe((event) => {
      if (event.type === 'notification.created' || event.type === 'notification.unread') return;
      const work = this.handleEvent(event).then(
        () => undefined,
        (error: unknown) => {
          this.d.logger?.error('notifications of an event not made', { event: event.type, error: errorText(error) });
        },
      );
      this.inFlight.add(work);
      void work.then(() => this.inFlight.delete(work));
    });
  }

  /** Stops hearing the bus and waits for the events being worked out. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.idle();
  }

  /** Resolves once every event heard so far has been worked out (its notices stored, their deliveries queued). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Makes the notices one event calls for (journal, in-app push, delivery jobs). Resolves when they are stored. */
  async handleEvent(event: DomainEvent): Promise<number> {
    // The appeals read for this event, read once.
    const cache = new Map<string, Promise<AppealRecord | null>>();
    const appealOf = (id: string): Promise<AppealRecord | null> => {
      let p = cache.get(id);
      if (!p) cache.set(id, (p = this.d.store.appeals.get(id)));
      return p;
    };
    const planned = await plan(event, this.lookup(appealOf));
    if (!planned || planned.recipients.length === 0) return 0;
    const appeal = planned.appealId ? await appealOf(planned.appealId) : null;
    let made = 0;
    for (const r of planned.recipients) if (await this.notifyOne(planned.eventKey, r, appeal, planned.link)) made++;
    return made;
  }

  // ---- REST use cases (the person's own notices only) ----

  async settings(viewer: Viewer): Promise<NotificationSettings> {
    return this.settingsOf(viewer.id);
  }

  async saveSettings(viewer: Viewer, input: unknown): Promise<NotificationSettings> {
    const parsed = notificationSettingsSchema.safeParse(input);
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'settings'] ??= issue.message;
      throw invalid(fields, Object.values(fields)[0] ?? 'Проверьте настройки уведомлений');
    }
    const kinds = parsed.data.kinds as NotificationSettings['kinds'];
    const settings: NotificationSettings = { language: parsed.data.language, timeZone: parsed.data.timeZone, kinds };
    // Action-required notices always go in-app and by e-mail: saved with them.
    for (const k of NOTIFICATION_KINDS) kinds[k] = { ...kinds[k], channels: [...new Set([...REQUIRED_CHANNELS[k], ...kinds[k].channels])] };
    const record: NotificationSettingsRecord = { ...settings, userId: viewer.id, updatedAt: this.d.clock.now() };
    await this.d.store.notifications.putSettings(record);
    return settings;
  }

  async list(viewer: Viewer, q: { limit: number; offset: number; unread?: 'true' | 'false' | undefined }) {
    const page = await this.d.store.notifications.list(viewer.id, { limit: q.limit, offset: q.offset, unreadOnly: q.unread === 'true' });
    return { items: page.items.map(toNotificationView), total: page.total, unread: await this.d.store.notifications.unreadCount(viewer.id) };
  }

  async unread(viewer: Viewer): Promise<{ unread: number }> {
    return { unread: await this.d.store.notifications.unreadCount(viewer.id) };
  }

  /** Marks read or unread; ids that are not the person's change nothing. Every open tab of theirs hears the new count. */
  async mark(viewer: Viewer, input: { ids: string[]; read: boolean } | { all: true }): Promise<{ unread: number }> {
    const now = this.d.clock.now();
    if ('all' in input) await this.d.store.notifications.markAllRead(viewer.id, now);
    else await this.d.store.notifications.mark(viewer.id, input.ids, input.read ? now : null);
    const unread = await this.d.store.notifications.unreadCount(viewer.id);
    this.d.bus.publish({ type: 'notification.unread', userId: viewer.id, unread });
    return { unread };
  }

  pushKey(): { publicKey: string } {
    if (!this.d.push) throw new DomainError('NOT_FOUND', 'Push-уведомления не настроены на этом сервере');
    return { publicKey: this.d.push.publicKey };
  }

  /** Adds this device's push subscription (or moves it to this person). */
  async subscribePush(viewer: Viewer, input: unknown): Promise<void> {
    if (!this.d.push) throw new DomainError('NOT_FOUND', 'Push-уведомления не настроены на этом сервере');
    const parsed = pushSubscriptionSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(
        { [issue?.path.join('.') || 'subscription']: issue?.message ?? 'некорректная подписка' },
        `Подписка на push-уведомления не принята: ${issue?.message ?? 'некорректная подписка'}`,
      );
    }
    const s = parsed.data;
    await this.d.store.notifications.savePushSubscription({
      id: endpointId(s.endpoint),
      userId: viewer.id,
      endpoint: s.endpoint,
      p256dh: s.keys.p256dh,
      auth: s.keys.auth,
      createdAt: this.d.clock.now(),
    });
  }

  async unsubscribePush(viewer: Viewer, endpoint: string): Promise<void> {
    if (!(await this.d.store.notifications.deletePushSubscription(endpointId(endpoint), viewer.id))) throw notFound('Такой подписки нет');
  }

  // ---- making a notice ----

  private lookup(appealOf: (id: string) => Promise<AppealRecord | null>): RecipientLookup {
    return {
      supervisorsOf: async (departmentId) => {
        const page = await this.d.store.users.list({ role: 'supervisor', departmentId, limit: 100, offset: 0 });
        return page.items.filter((u) => !u.locked).map((u) => u.id);
      },
      roomOf: async (appealId) => {
        const a = await appealOf(appealId);
        return a ? { citizenId: a.citizenId, assigneeId: a.assigneeId, expertIds: a.expertIds } : null;
      },
      presentIn: (appealId) => this.d.presentIn?.(appealId) ?? new Set(),
    };
  }

  private async settingsOf(userId: string): Promise<NotificationSettings> {
    const stored = await this.d.store.notifications.getSettings(userId);
    if (!stored) return defaultNotificationSettings();
    const { userId: _u, updatedAt: _t, ...settings } = stored;
    return settings;
  }

  private async notifyOne(eventKey: string, r: Recipient, appeal: AppealRecord | null, link?: string): Promise<boolean> {
    // A deleted account, whose data is kept for its appeals only (docs/personal-data.md), is told nothing.
    if (await this.d.store.personalData.getRetained(r.userId)) return false;
    const now = this.d.clock.now();
    const settings = await this.settingsOf(r.userId);
    const channels = channelsFor(settings, r.kind, appeal, now);
    if (channels.length === 0) return false;
    const number = appeal?.number ?? null;
    const text = render(r.topic, settings.language, {
      ...r.params,
      ...(number ? { number } : {}),
      ...(r.date !== undefined ? { date: formatDate(r.date, settings.language, settings.timeZone) } : {}),
    });
    const deliveries: NotificationRecord['deliveries'] = {};
    for (const c of channels) deliveries[c] = c === 'inapp' ? { state: 'sent', at: now, error: null } : { state: 'pending', at: null, error: null };
    if (deliveries.push && !this.d.push) deliveries.push = { state: 'skipped', at: now, error: 'web push is not configured' };
    // No device subscribed: nothing to queue (most people; a job each would be writes for nothing).
    else if (deliveries.push && (await this.d.store.notifications.listPushSubscriptions(r.userId)).length === 0)
      deliveries.push = { state: 'skipped', at: now, error: 'no subscribed device' };
    const record: NotificationRecord = {
      id: noticeId(eventKey, r.userId),
      userId: r.userId,
      kind: r.kind,
      topic: r.topic,
      appealId: appeal?.id ?? null,
      appealNumber: number,
      title: text.title,
      body: text.body,
      link: appeal ? `/appeals/${appeal.id}` : (link ?? '/notifications'),
      at: now,
      readAt: null,
      deliveries,
    };
    // Another instance (or a second copy of the event) made it already: nothing more to do.
    if (!(await this.d.store.notifications.create(record))) return false;
    if (channels.includes('inapp')) {
      const unread = await this.d.store.notifications.unreadCount(r.userId);
      this.d.bus.publish({ type: 'notification.created', userId: r.userId, notification: eventView(record), unread });
    }
    let kick = false;
    if (deliveries.email?.state === 'pending') kick = (await this.queueMerged('email', r.userId, now, settings)) || kick;
    if (deliveries.sms?.state === 'pending') kick = (await this.queueMerged('sms', r.userId, now, settings)) || kick;
    if (deliveries.push?.state === 'pending') {
      await this.d.scheduler.enqueue({
        kind: NOTIFY_JOBS.push,
        key: `${NOTIFY_JOBS.push}:${record.id}`,
        runAt: now,
        payload: { id: record.id, userId: r.userId },
      });
      kick = true;
    }
    if (kick) this.d.scheduler.kick();
    return true;
  }

  /**
   * Makes sure the person's e-mail (or SMS) job will pick the new notice up:
   * a job waiting (not running) will; otherwise it is scheduled now, or at the
   * end of the merge window after the last message. A job running now is
   * re-armed, so the notice is not missed if that run read the pending ones
   * before it was stored. True when it is due now.
   */
  private async queueMerged(channel: 'email' | 'sms', userId: string, now: number, settings: NotificationSettings): Promise<boolean> {
    const key = `${NOTIFY_JOBS[channel]}:${userId}`;
    const job = await this.d.store.jobs.get(key);
    if (job?.state === 'pending' && job.leaseToken === null) return false;
    let runAt = now;
    if (job?.state === 'done' && job.updatedAt + this.mergeWindowMs > now) runAt = job.updatedAt + this.mergeWindowMs;
    if (job?.state === 'pending' && job.leaseToken !== null) runAt = now + this.mergeWindowMs;
    if (channel === 'sms') runAt = smsAllowedAt(runAt, settings.timeZone);
    await this.d.scheduler.schedule({ kind: NOTIFY_JOBS[channel], key, runAt, payload: { userId } });
    return runAt <= now;
  }

  // ---- delivering ----

  private async deliverMail(job: Job): Promise<void> {
    const { userId } = job.payload as { userId: string };
    const pending = await this.d.store.notifications.pendingFor(userId, 'email', 50);
    if (pending.length === 0) return;
    const ids = pending.map((n) => n.id);
    const user = await this.d.store.users.get(userId);
    const now = () => this.d.clock.now();
    if (!user?.email || user.locked) {
      await this.d.store.notifications.setDelivery(ids, 'email', { state: 'skipped', at: now(), error: 'no confirmed address' });
      return;
    }
    const settings = await this.settingsOf(userId);
    const base = this.d.siteUrl();
    const mail = composeMail(
      settings.language,
      pending.map((n) => ({ appealNumber: n.appealNumber, title: n.title, body: n.body, link: `${base}${n.link ?? '/notifications'}` })),
      { journal: `${base}/notifications`, settings: `${base}/notifications/settings` },
    );
    await this.d.mail.send(user.email, mail.subject, mail.text, {
      html: mail.html,
      messageId: messageIdOf(ids),
      headers: { 'List-Unsubscribe': `<${base}/notifications/settings>`, 'X-Caseroom-Notices': ids.join(',') },
    });
    await this.d.store.notifications.setDelivery(ids, 'email', { state: 'sent', at: now(), error: null });
    // More than one message's worth: the rest go in the next run.
    if (pending.length === 50) await this.rerunSoon(job);
  }

  private async deliverSms(job: Job): Promise<{ retryAt: number } | undefined> {
    const { userId } = job.payload as { userId: string };
    const settings = await this.settingsOf(userId);
    const now = this.d.clock.now();
    const allowed = smsAllowedAt(now, settings.timeZone);
    if (allowed > now) return { retryAt: allowed };
    const pending = await this.d.store.notifications.pendingFor(userId, 'sms', 20);
    if (pending.length === 0) return undefined;
    const ids = pending.map((n) => n.id);
    const user = await this.d.store.users.get(userId);
    if (!user?.phone || user.locked) {
      await this.d.store.notifications.setDelivery(ids, 'sms', { state: 'skipped', at: now, error: 'no confirmed phone' });
      return undefined;
    }
    await this.d.sms.send(user.phone, composeSms(settings.language, pending));
    await this.d.store.notifications.setDelivery(ids, 'sms', { state: 'sent', at: this.d.clock.now(), error: null });
    if (pending.length === 20) await this.rerunSoon(job);
    return undefined;
  }

  private async deliverPush(job: Job): Promise<void> {
    const { id, userId } = job.payload as { id: string; userId: string };
    const n = await this.d.store.notifications.get(id);
    if (!n || n.deliveries.push?.state !== 'pending') return;
    const subs = await this.d.store.notifications.listPushSubscriptions(userId);
    const at = () => this.d.clock.now();
    if (subs.length === 0 || !this.d.push) {
      await this.d.store.notifications.setDelivery([id], 'push', { state: 'skipped', at: at(), error: 'no subscribed device' });
      return;
    }
    const payload = JSON.stringify({ id: n.id, title: n.title, body: n.body, link: n.link, appealNumber: n.appealNumber, at: n.at });
    let sent = 0;
    const errors: string[] = [];
    for (const s of subs) {
      try {
        const result = await this.d.push.send({ endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth }, payload, 24 * 3600);
        if (result === 'gone') await this.d.store.notifications.deletePushSubscription(s.id);
        else sent++;
      } catch (error) {
        errors.push(errorText(error));
      }
    }
    if (sent === 0 && errors.length > 0) throw new Error(errors[0]);
    await this.d.store.notifications.setDelivery(
      [id],
      'push',
      sent > 0 ? { state: 'sent', at: at(), error: null } : { state: 'skipped', at: at(), error: 'every device unsubscribed' },
    );
  }

  private async rerunSoon(job: Job): Promise<void> {
    await this.d.scheduler.schedule({ kind: job.kind, key: job.key, runAt: this.d.clock.now(), payload: job.payload });
    this.d.scheduler.kick();
  }

  /** After the last attempt: the person's notices still pending on the channel are marked failed in their journal. */
  private async failPending(job: Job, channel: 'email' | 'sms', error: string): Promise<void> {
    const { userId } = job.payload as { userId: string };
    const pending = await this.d.store.notifications.pendingFor(userId, channel, 1000);
    await this.d.store.notifications.setDelivery(
      pending.map((n) => n.id),
      channel,
      { state: 'failed', at: this.d.clock.now(), error },
    );
  }
}

/** The notice as the `notification.created` event carries it (no delivery states). */
function eventView(n: NotificationRecord) {
  return { id: n.id, kind: n.kind, topic: n.topic, appealId: n.appealId, appealNumber: n.appealNumber, title: n.title, body: n.body, link: n.link, at: n.at };
}

/** A push subscription's id: its endpoint's hash (one per device). */
export function endpointId(endpoint: string): string {
  return createHash('sha256').update(endpoint).digest('base64url').slice(0, 32);
}
