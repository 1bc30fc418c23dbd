/**
 * The admin's «Open311 и вебхуки» section (docs/oversight.md): Open311 API keys
 * (issued — the key shown once —, listed, revoked) and webhooks (registered —
 * the signing secret shown once —, deleted) with the delivery log and replay.
 */
import { api, ApiError } from '../api';
import { serverFieldErrors } from '../validation';
import type { ApiKeyView, WebhookDeliveryView, WebhookView } from '../../../../shared/schemas/oversight.schema';
import type { WEBHOOK_EVENT_NAMES } from '../../../../shared/schemas/oversight.schema';
import { Task } from './Task.svelte';

export type WebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];

export class OversightAdminState {
  readonly keysTask = new Task();
  readonly hooksTask = new Task();
  readonly logTask = new Task();
  #keys = $state.raw<ApiKeyView[]>([]);
  #hooks = $state.raw<WebhookView[]>([]);
  #deliveries = $state.raw<WebhookDeliveryView[]>([]);
  /** The secret of what was just created (a key or a webhook's signing secret), shown once. */
  #shownKey = $state<string | null>(null);
  #shownSecret = $state<string | null>(null);
  #notice = $state('');
  #urlError = $state('');

  newKey = $state({ name: '', ratePerMinute: 60 });
  newHook = $state<{ url: string; events: WebhookEventName[]; trusted: boolean; allowPrivate: boolean }>({
    url: '',
    events: ['appeal.submitted'],
    trusted: false,
    allowPrivate: false,
  });

  get keys(): ApiKeyView[] {
    return this.#keys;
  }
  get hooks(): WebhookView[] {
    return this.#hooks;
  }
  get deliveries(): WebhookDeliveryView[] {
    return this.#deliveries;
  }
  get shownKey(): string | null {
    return this.#shownKey;
  }
  get shownSecret(): string | null {
    return this.#shownSecret;
  }
  /** Why the server refused the webhook's URL (its own words), shown beside the field. */
  get urlError(): string {
    return this.#urlError;
  }
  get notice(): string {
    return this.#notice;
  }

  urlOf(webhookId: string): string {
    return this.#hooks.find((h) => h.id === webhookId)?.url ?? '—';
  }

  load(): Promise<boolean[]> {
    return Promise.all([
      this.keysTask.run(async () => {
        this.#keys = (await api('admin.apiKeys.list')).items;
      }),
      this.hooksTask.run(async () => {
        this.#hooks = (await api('admin.webhooks.list')).items;
      }),
      this.loadLog(),
    ]);
  }

  loadLog(): Promise<boolean> {
    return this.logTask.run(async () => {
      this.#deliveries = (await api('admin.webhooks.deliveries', { query: { limit: 50, offset: 0 } })).items;
    });
  }

  createKey(): Promise<boolean> {
    this.#shownKey = null;
    return this.keysTask.run(async () => {
      const reply = await api('admin.apiKeys.create', { body: { name: this.newKey.name, ratePerMinute: this.newKey.ratePerMinute } });
      this.#shownKey = reply.secret;
      this.#keys = [reply.key, ...this.#keys];
      this.newKey = { name: '', ratePerMinute: 60 };
    });
  }

  revokeKey(id: string): Promise<boolean> {
    return this.keysTask.run(async () => {
      const { key } = await api('admin.apiKeys.revoke', { params: { id } });
      this.#keys = this.#keys.map((k) => (k.id === id ? key : k));
    });
  }

  createHook(): Promise<boolean> {
    this.#shownSecret = null;
    this.#urlError = '';
    return this.hooksTask.run(
      async () => {
        const reply = await api('admin.webhooks.create', { body: { ...this.newHook, events: [...this.newHook.events] } });
        this.#shownSecret = reply.secret;
        this.#hooks = [...this.#hooks, reply.webhook];
        this.newHook = { url: '', events: ['appeal.submitted'], trusted: false, allowPrivate: false };
      },
      (e) => {
        const url = e instanceof ApiError ? serverFieldErrors(e).url : undefined;
        if (url === undefined) return false;
        this.#urlError = url;
        return true;
      },
    );
  }

  deleteHook(id: string): Promise<boolean> {
    return this.hooksTask.run(async () => {
      await api('admin.webhooks.delete', { params: { id } });
      this.#hooks = this.#hooks.filter((h) => h.id !== id);
    });
  }

  toggleEvent(event: WebhookEventName, on: boolean): void {
    const rest = this.newHook.events.filter((e) => e !== event);
    this.newHook.events = on ? [...rest, event] : rest;
  }

  replay(id: string): Promise<boolean> {
    this.#notice = '';
    return this.logTask.run(async () => {
      const { delivery } = await api('admin.webhooks.replay', { params: { id } });
      this.#deliveries = [delivery, ...this.#deliveries];
      this.#notice = 'replayed';
    });
  }
}
