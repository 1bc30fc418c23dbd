/**
 * The in-app channel in the tab: the bell's unread count and the toasts of
 * notices pushed on the socket (`notification:new`), the count kept in step
 * with marks made in other tabs (`notification:unread`). Started once a
 * confirmed person is signed in; stopped at sign-out.
 */
import { api } from '../api';
import type { NotificationPush } from '../../../../shared/schemas/notification.schema';
import { realtimeSocket } from '../realtime/socket';

/** How long a toast stays unless closed or hovered. */
export const TOAST_MS = 8000;

export interface Toast {
  id: string;
  notice: NotificationPush;
}

export class NotificationsState {
  #unread = $state(0);
  #toasts = $state.raw<Toast[]>([]);
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #stop: (() => void) | null = null;

  get unread(): number {
    return this.#unread;
  }

  get toasts(): readonly Toast[] {
    return this.#toasts;
  }

  /** Listens on the tab's socket and reads the count once. */
  start(): void {
    if (this.#stop) return;
    const socket = realtimeSocket();
    const onNew = (p: { notification: NotificationPush; unread: number }): void => {
      this.#unread = p.unread;
      this.show(p.notification);
    };
    const onUnread = (p: { unread: number }): void => {
      this.#unread = p.unread;
    };
    // After a reconnection the count may have moved meanwhile.
    const onConnect = (): void => {
      void this.refresh();
    };
    socket.on('notification:new', onNew);
    socket.on('notification:unread', onUnread);
    socket.on('connect', onConnect);
    this.#stop = () => {
      socket.off('notification:new', onNew);
      socket.off('notification:unread', onUnread);
      socket.off('connect', onConnect);
    };
    void this.refresh();
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#toasts = [];
    this.#unread = 0;
  }

  async refresh(): Promise<void> {
    try {
      this.#unread = (await api('notifications.unread')).unread;
    } catch {
      // The bell keeps its last count; the next push or reconnection corrects it.
    }
  }

  /** The count after marks made on this page. */
  setUnread(n: number): void {
    this.#unread = n;
  }

  show(notice: NotificationPush): void {
    if (this.#toasts.some((t) => t.id === notice.id)) return;
    this.#toasts = [...this.#toasts.slice(-3), { id: notice.id, notice }];
    this.#timers.set(
      notice.id,
      setTimeout(() => {
        this.dismiss(notice.id);
      }, TOAST_MS),
    );
  }

  /** Keeps a toast while the pointer or focus is on it. */
  hold(id: string): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  dismiss(id: string): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    this.#toasts = this.#toasts.filter((t) => t.id !== id);
  }
}

export const notifications = new NotificationsState();
