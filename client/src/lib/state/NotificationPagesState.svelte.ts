/**
 * The notification journal page (a page of the person's notices, read and
 * unread marks) and the settings page (per kind: channels and filters;
 * language, time zone; this device's web push).
 */
import { api, isApiError } from '../api';
import {
  APPEAL_TYPES_FOR_SETTINGS,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_KINDS,
  PRIORITIES_FOR_SETTINGS,
  REQUIRED_CHANNELS,
  type KindSetting,
  type NotificationChannel,
  type NotificationKind,
  type NotificationSettings,
  type NotificationView,
} from '../../../../shared/schemas/notification.schema';
import { Task } from './Task.svelte';
import { notifications } from './NotificationsState.svelte';

export const JOURNAL_PAGE = 20;

export class NotificationJournalState {
  #items = $state.raw<NotificationView[]>([]);
  #total = $state(0);
  #offset = $state(0);
  #unreadOnly = $state(false);
  readonly task = new Task();

  get items(): readonly NotificationView[] {
    return this.#items;
  }
  get total(): number {
    return this.#total;
  }
  get offset(): number {
    return this.#offset;
  }
  get unreadOnly(): boolean {
    return this.#unreadOnly;
  }

  async load(): Promise<void> {
    await this.task.run(async () => {
      const page = await api('notifications.list', { query: { limit: JOURNAL_PAGE, offset: this.#offset, ...(this.#unreadOnly ? { unread: 'true' } : {}) } });
      this.#items = page.items;
      this.#total = page.total;
      notifications.setUnread(page.unread);
    });
  }

  async setUnreadOnly(only: boolean): Promise<void> {
    this.#unreadOnly = only;
    this.#offset = 0;
    await this.load();
  }

  async page(delta: number): Promise<void> {
    this.#offset = Math.max(0, this.#offset + delta * JOURNAL_PAGE);
    await this.load();
  }

  async setRead(id: string, read: boolean): Promise<void> {
    await this.task.run(async () => {
      const { unread } = await api('notifications.mark', { body: { ids: [id], read } });
      notifications.setUnread(unread);
      this.#items = this.#items.map((n) => (n.id === id ? { ...n, readAt: read ? Date.now() : null } : n));
    });
  }

  async readAll(): Promise<void> {
    await this.task.run(async () => {
      const { unread } = await api('notifications.mark', { body: { all: true } });
      notifications.setUnread(unread);
    });
    await this.load();
  }
}

/** One kind's form: channels as checkboxes; a filter is "all" (null) or the chosen values. */
export interface KindForm {
  channels: Record<NotificationChannel, boolean>;
  types: Record<string, boolean>;
  priorities: Record<string, boolean>;
  /** Empty: any deadline. */
  deadlineWithinDays: string;
}

const allOf = (values: readonly string[], chosen: readonly string[] | null): Record<string, boolean> =>
  Object.fromEntries(values.map((v) => [v, chosen === null || chosen.includes(v)]));

export class NotificationSettingsState {
  language = $state<'ru' | 'en'>('ru');
  timeZone = $state('Europe/Moscow');
  kinds = $state<Record<NotificationKind, KindForm> | null>(null);
  #saved = $state(false);
  #pushMessage = $state('');
  readonly load = new Task();
  readonly save = new Task();
  readonly push = new Task();

  get saved(): boolean {
    return this.#saved;
  }
  get pushMessage(): string {
    return this.#pushMessage;
  }

  async fetch(): Promise<void> {
    await this.load.run(async () => {
      this.accept(await api('notifications.settings'));
    });
  }

  accept(s: NotificationSettings): void {
    this.language = s.language;
    this.timeZone = s.timeZone;
    const kinds = {} as Record<NotificationKind, KindForm>;
    for (const k of NOTIFICATION_KINDS) {
      const ks = s.kinds[k];
      kinds[k] = {
        channels: Object.fromEntries(NOTIFICATION_CHANNELS.map((c) => [c, ks.channels.includes(c) || REQUIRED_CHANNELS[k].includes(c)])) as Record<
          NotificationChannel,
          boolean
        >,
        types: allOf(APPEAL_TYPES_FOR_SETTINGS, ks.appealTypes),
        priorities: allOf(PRIORITIES_FOR_SETTINGS, ks.priorities),
        deadlineWithinDays: ks.deadlineWithinDays === null ? '' : String(ks.deadlineWithinDays),
      };
    }
    this.kinds = kinds;
  }

  /** The settings as the server takes them; every checked value of a filter means "all" (null). */
  toSettings(): NotificationSettings {
    const kinds = {} as Record<NotificationKind, KindSetting>;
    const forms = this.kinds;
    if (!forms) throw new Error('the settings are not loaded');
    for (const k of NOTIFICATION_KINDS) {
      const f = forms[k];
      const chosen = (r: Record<string, boolean>, all: readonly string[]) => {
        const on = all.filter((v) => r[v]);
        return on.length === all.length ? null : on;
      };
      const days = f.deadlineWithinDays.trim();
      kinds[k] = {
        channels: NOTIFICATION_CHANNELS.filter((c) => f.channels[c]),
        appealTypes: chosen(f.types, APPEAL_TYPES_FOR_SETTINGS) as KindSetting['appealTypes'],
        priorities: chosen(f.priorities, PRIORITIES_FOR_SETTINGS) as KindSetting['priorities'],
        deadlineWithinDays: days === '' ? null : Number(days),
      };
    }
    return { language: this.language, timeZone: this.timeZone, kinds };
  }

  /**
   * Saves. A filter with nothing chosen would let no notice through: refused
   * here with `messages`, before the server (which refuses it too, with its
   * own reason shown as it is).
   */
  async submit(messages: { noTypes: string; noPriorities: string }): Promise<boolean> {
    this.#saved = false;
    const forms = this.kinds;
    if (!forms) return false;
    for (const k of NOTIFICATION_KINDS) {
      if (!APPEAL_TYPES_FOR_SETTINGS.some((v) => forms[k].types[v])) {
        this.save.fail(messages.noTypes);
        return false;
      }
      if (!PRIORITIES_FOR_SETTINGS.some((v) => forms[k].priorities[v])) {
        this.save.fail(messages.noPriorities);
        return false;
      }
    }
    const ok = await this.save.run(
      async () => {
        this.accept(await api('notifications.saveSettings', { body: this.toSettings() }));
      },
      (e) => {
        if (!isApiError(e) || e.code !== 'VALIDATION_FAILED') return false;
        const reasons = [...new Set(Object.values(e.fields))];
        if (reasons.length === 0) return false;
        this.save.fail(reasons.join('; '));
        return true;
      },
    );
    this.#saved = ok;
    return ok;
  }

  /** Subscribes this device to web push: the service worker, the browser's subscription, the server's record. */
  async enablePush(messages: { unsupported: string; denied: string; done: string }): Promise<void> {
    this.#pushMessage = '';
    await this.push.run(async () => {
      if (!('serviceWorker' in navigator) || !('PushManager' in window)) {
        this.#pushMessage = messages.unsupported;
        return;
      }
      const { publicKey } = await api('notifications.pushKey');
      const registration = await navigator.serviceWorker.register('/sw.js');
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        this.#pushMessage = messages.denied;
        return;
      }
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlBytes(publicKey) });
      await api('notifications.pushSubscribe', { body: subscription.toJSON() as never });
      this.#pushMessage = messages.done;
    });
  }
}

function base64UrlBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
