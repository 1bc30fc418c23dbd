/**
 * Webhooks (docs/oversight.md, "Webhooks"): admins register a URL and the
 * events it hears; each event becomes one delivery per webhook, kept in the
 * delivery log and sent by the durable scheduler (server/domain/jobs/), which
 * retries a failed attempt with backoff. Every request is signed:
 * `X-Caseroom-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
 * with the timestamp (Unix seconds) in `X-Caseroom-Timestamp`. Payloads name
 * the appeal by id, number, category and status; the citizen's name and
 * contacts go only to a webhook marked trusted.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { STATUS_LABELS_RU } from '../../../shared/status-machine.js';
import type { WebhookDeliveryView, WebhookView } from '../../../shared/schemas/oversight.schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { StoreError, type Page, type Store, type WebhookDeliveryRecord, type WebhookEvent, type WebhookRecord } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import { forbidden, invalid, notFound } from '../errors.js';
import type { DomainEvent, EventBus } from '../events.js';
import type { Job, Scheduler } from '../jobs/scheduler.js';
import type { Viewer } from '../viewer.js';
import { addressRefusal, urlRefusal } from './webhook-policy.js';

/** How deliveries reach the network (server/channels/webhook.transport.ts). */
export interface WebhookTransport {
  /** Every address the host name resolves to (an IP literal: itself). */
  resolve(hostname: string): Promise<string[]>;
  /** POSTs `body` to `url`, connecting to `address` (already checked); resolves with the HTTP status. */
  post(url: URL, address: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number>;
}

export interface WebhookOptions {
  /** Plain http to loopback allowed (config WEBHOOKS_DEV_LOOPBACK / NODE_ENV=development). */
  devLoopback: boolean;
  /** Attempts before a delivery is marked failed (default 8). */
  maxAttempts?: number;
  /** The wait after the first failure, doubled after each next one (default 30 s, at most 1 hour). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** One request's time limit (default 10 s). */
  timeoutMs?: number;
}

export const WEBHOOK_JOB = 'webhook.deliver';

const hookView = (h: WebhookRecord): WebhookView => ({
  id: h.id,
  url: h.url,
  events: [...h.events],
  trusted: h.trusted,
  allowPrivate: h.allowPrivate,
  active: h.active,
  createdAt: h.createdAt,
});

const deliveryView = (d: WebhookDeliveryRecord): WebhookDeliveryView => ({
  id: d.id,
  webhookId: d.webhookId,
  event: d.event,
  state: d.state,
  attempts: d.attempts,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt,
  replayOf: d.replayOf,
});

/** The signature header's value for a body sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

interface Found {
  event: WebhookEvent;
  /** Names the occurrence once, however often (and on however many instances) it is heard. */
  key: string;
  appealId: string;
  data: Record<string, unknown>;
}

/** Which webhook events a domain event is. */
function classify(e: DomainEvent): Found[] {
  if (e.type === 'appeal.status_changed') {
    const base = { appealId: e.appeal.id, data: { from: e.entry.from, to: e.entry.to, action: e.entry.action } };
    const out: Found[] = [{ event: 'appeal.status_changed', key: `${e.appeal.id}:status:${e.entry.seq}`, ...base }];
    if (e.entry.from === 'draft') out.push({ event: 'appeal.submitted', key: `${e.appeal.id}:submitted:${e.entry.seq}`, ...base });
    return out;
  }
  if (e.type === 'decision.issued') {
    const data = { decisionId: e.decision.id, kind: e.decision.kind, reexamination: e.decision.reviewId !== null };
    return [{ event: 'appeal.decision', key: `${e.appeal.id}:decision:${e.decision.id}`, appealId: e.appeal.id, data }];
  }
  if (e.type === 'feedback.changed' && (e.change === 'rated' || e.change === 'rating_changed')) {
    return [{ event: 'appeal.rated', key: `${e.appeal.id}:rating:${e.appeal.version}`, appealId: e.appeal.id, data: { stars: e.stars, change: e.change } }];
  }
  if (e.type === 'appeal.escalated') {
    const data = { escalationAppealId: e.appeal.id, toDepartmentId: e.appeal.departmentId, byRole: e.byRole };
    return [{ event: 'appeal.escalated', key: `${e.original.id}:escalated:${e.appeal.id}`, appealId: e.original.id, data }];
  }
  return [];
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 500);

export class WebhookService {
  private readonly stopBus: () => void;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly d: {
      store: Store;
      clock: Clock;
      audit: AuditService;
      bus: EventBus;
      scheduler: Scheduler;
      transport: WebhookTransport;
      logger?: { error(message: string, fields?: Record<string, unknown>): void };
    },
    private readonly o: WebhookOptions,
  ) {
    d.scheduler.handle(WEBHOOK_JOB, (job) => this.deliver(job), {
      maxAttempts: o.maxAttempts ?? 8,
      backoffMs: o.backoffMs ?? 30_000,
      maxBackoffMs: o.maxBackoffMs ?? 3_600_000,
      onFailed: (job, error) => this.failed(job, error),
    });
    this.stopBus = d.bus.subscribe((event) => {
      const work = this.onEvent(event).catch((error: unknown) => {
        d.logger?.error('webhook deliveries not queued', { event: event.type, error: errorText(error) });
      });
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    });
  }

  /** Stops hearing events and waits for the ones being queued. */
  async stop(): Promise<void> {
    this.stopBus();
    await Promise.all([...this.pending]);
  }

  private admin(viewer: Viewer): void {
    if (viewer.role !== 'admin') throw forbidden();
  }

  /** The URL checked as at a delivery: its form, then every address its name resolves to. */
  private async refusal(url: string, allowPrivate: boolean): Promise<string | null> {
    const shape = urlRefusal(url, this.o.devLoopback);
    if (shape !== null) return shape;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = await this.d.transport.resolve(host);
    } catch {
      return `Имя узла ${host} не разрешается`;
    }
    return addressRefusal(addresses, { allowPrivate, devLoopback: this.o.devLoopback });
  }

  async list(viewer: Viewer): Promise<WebhookView[]> {
    this.admin(viewer);
    return (await this.d.store.oversight.listWebhooks()).map(hookView);
  }

  async create(
    viewer: Viewer,
    input: { url: string; events: WebhookEvent[]; trusted: boolean; allowPrivate: boolean },
  ): Promise<{ webhook: WebhookView; secret: string }> {
    this.admin(viewer);
    const refused = await this.refusal(input.url, input.allowPrivate);
    if (refused !== null) throw invalid({ url: refused }, refused);
    const record: WebhookRecord = {
      id: newId(),
      url: new URL(input.url).href,
      events: [...new Set(input.events)],
      secret: randomBytes(32).toString('base64url'),
      trusted: input.trusted,
      allowPrivate: input.allowPrivate,
      active: true,
      createdAt: this.d.clock.now(),
      createdBy: viewer.id,
    };
    await this.d.store.oversight.putWebhook(record);
    await this.d.audit.record({
      actorId: viewer.id,
      action: 'webhook.created',
      subjectType: 'webhook',
      subjectId: record.id,
      details: { url: record.url, events: record.events, trusted: record.trusted, allowPrivate: record.allowPrivate },
    });
    return { webhook: hookView(record), secret: record.secret };
  }

  async remove(viewer: Viewer, id: string): Promise<void> {
    this.admin(viewer);
    if (!(await this.d.store.oversight.deleteWebhook(id))) throw notFound('Вебхук не найден');
    await this.d.audit.record({ actorId: viewer.id, action: 'webhook.deleted', subjectType: 'webhook', subjectId: id, details: {} });
  }

  async deliveries(viewer: Viewer, q: { webhookId?: string | undefined; limit: number; offset: number }): Promise<Page<WebhookDeliveryView>> {
    this.admin(viewer);
    const page = await this.d.store.oversight.listDeliveries({
      ...(q.webhookId !== undefined ? { webhookId: q.webhookId } : {}),
      limit: q.limit,
      offset: q.offset,
    });
    return { items: page.items.map(deliveryView), total: page.total };
  }

  /** Sends a delivery's body again, as a new delivery of its own. */
  async replay(viewer: Viewer, id: string): Promise<WebhookDeliveryView> {
    this.admin(viewer);
    const original = await this.d.store.oversight.getDelivery(id);
    if (!original) throw notFound('Доставка не найдена');
    if (!(await this.d.store.oversight.getWebhook(original.webhookId))) throw notFound('Вебхук этой доставки удалён');
    const now = this.d.clock.now();
    const record: WebhookDeliveryRecord = {
      ...original,
      id: newId(),
      state: 'pending',
      attempts: 0,
      lastStatus: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      deliveredAt: null,
      replayOf: original.id,
    };
    await this.d.store.oversight.createDelivery(record);
    await this.d.scheduler.enqueue({ kind: WEBHOOK_JOB, key: `webhook:replay:${record.id}`, runAt: now, payload: { deliveryId: record.id } });
    this.d.scheduler.kick();
    await this.d.audit.record({
      actorId: viewer.id,
      action: 'webhook.replayed',
      subjectType: 'webhook',
      subjectId: original.webhookId,
      details: { deliveryId: original.id, replayId: record.id },
    });
    return deliveryView(record);
  }

  private async onEvent(e: DomainEvent): Promise<void> {
    const found = classify(e);
    if (found.length === 0) return;
    const hooks = (await this.d.store.oversight.listWebhooks()).filter((h) => h.active);
    if (hooks.length === 0) return;
    for (const f of found) {
      const subscribed = hooks.filter((h) => h.events.includes(f.event));
      if (subscribed.length === 0) continue;
      const appeal = await this.d.store.appeals.get(f.appealId);
      if (!appeal) continue;
      const category = appeal.categoryId === null ? null : await this.d.store.catalogue.getCategory(appeal.categoryId);
      const citizen = subscribed.some((h) => h.trusted) ? await this.d.store.users.get(appeal.citizenId) : null;
      for (const hook of subscribed) {
        const key = `webhook:${hook.id}:${f.key}`;
        // The same id on every instance that hears the event: the second insert is a duplicate and stops there.
        const id = createHash('sha256').update(key).digest('base64url').slice(0, 22);
        const now = this.d.clock.now();
        const payload = {
          id,
          event: f.event,
          occurredAt: new Date(now).toISOString(),
          appeal: {
            id: appeal.id,
            number: appeal.number,
            status: appeal.status,
            statusLabel: STATUS_LABELS_RU[appeal.status],
            type: appeal.type,
            categoryCode: category?.code ?? null,
            departmentId: appeal.departmentId,
          },
          data: f.data,
          ...(hook.trusted && citizen ? { citizen: { id: citizen.id, fullName: citizen.fullName, email: citizen.email, phone: citizen.phone } } : {}),
        };
        const record: WebhookDeliveryRecord = {
          id,
          webhookId: hook.id,
          event: f.event,
          body: JSON.stringify(payload),
          state: 'pending',
          attempts: 0,
          lastStatus: null,
          lastError: null,
          createdAt: now,
          updatedAt: now,
          deliveredAt: null,
          replayOf: null,
        };
        try {
          await this.d.store.oversight.createDelivery(record);
        } catch (error) {
          if (error instanceof StoreError && error.code === 'duplicate') continue;
          throw error;
        }
        await this.d.scheduler.enqueue({ kind: WEBHOOK_JOB, key, runAt: now, payload: { deliveryId: id } });
      }
    }
    this.d.scheduler.kick();
  }

  /** One attempt; a throw is a failed attempt the scheduler retries after its backoff. */
  private async deliver(job: Job): Promise<void> {
    const deliveryId = (job.payload as { deliveryId?: unknown } | null)?.deliveryId;
    if (typeof deliveryId !== 'string') return;
    const delivery = await this.d.store.oversight.getDelivery(deliveryId);
    if (!delivery || delivery.state === 'delivered') return;
    const hook = await this.d.store.oversight.getWebhook(delivery.webhookId);
    const now = () => this.d.clock.now();
    if (!hook) {
      await this.d.store.oversight.updateDelivery(delivery.id, { state: 'failed', attempts: job.attempts, lastError: 'вебхук удалён', updatedAt: now() });
      return;
    }
    const url = new URL(hook.url);
    let status: number | null = null;
    try {
      // Checked again now, on the addresses the name resolves to now; the request goes to the checked one.
      const shape = urlRefusal(hook.url, this.o.devLoopback);
      if (shape !== null) throw new Error(shape);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const addresses = await this.d.transport.resolve(host);
      const refused = addressRefusal(addresses, { allowPrivate: hook.allowPrivate, devLoopback: this.o.devLoopback });
      if (refused !== null) throw new Error(refused);
      const timestamp = Math.floor(now() / 1000);
      const address = addresses[0] ?? '';
      status = await this.d.transport.post(
        url,
        address,
        {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'caseroom-webhooks/1',
          'x-caseroom-event': delivery.event,
          'x-caseroom-delivery': delivery.id,
          'x-caseroom-timestamp': String(timestamp),
          'x-caseroom-signature': signWebhook(hook.secret, timestamp, delivery.body),
        },
        delivery.body,
        this.o.timeoutMs ?? 10_000,
      );
    } catch (error) {
      await this.d.store.oversight.updateDelivery(delivery.id, { attempts: job.attempts, lastStatus: null, lastError: errorText(error), updatedAt: now() });
      throw error;
    }
    if (status >= 200 && status < 300) {
      await this.d.store.oversight.updateDelivery(delivery.id, {
        state: 'delivered',
        attempts: job.attempts,
        lastStatus: status,
        lastError: null,
        updatedAt: now(),
        deliveredAt: now(),
      });
      return;
    }
    await this.d.store.oversight.updateDelivery(delivery.id, { attempts: job.attempts, lastStatus: status, lastError: `HTTP ${status}`, updatedAt: now() });
    throw new Error(`the receiver answered ${status}`);
  }

  private async failed(job: Job, error: string): Promise<void> {
    const deliveryId = (job.payload as { deliveryId?: unknown } | null)?.deliveryId;
    if (typeof deliveryId !== 'string') return;
    await this.d.store.oversight.updateDelivery(deliveryId, {
      state: 'failed',
      attempts: job.attempts,
      lastError: error.slice(0, 500),
      updatedAt: this.d.clock.now(),
    });
  }
}
