/**
 * What the oversight features keep in the Store (docs/oversight.md): the
 * Open311 API keys, the per-appeal consent to publish an appeal on Open311,
 * the webhooks and their delivery log. Kept by the Store's `oversight`.
 */
import type { Status } from '../../shared/status-machine.js';
import type { Page } from './store.js';

/** An admin-issued key of the Open311 API; the key itself is shown once and kept only as its SHA-256. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The key's first characters, to tell keys apart in the list. */
  prefix: string;
  /** sha256 of the whole key, hex. */
  keyHash: string;
  /** Requests per minute this key may make. */
  ratePerMinute: number;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
}

/** The events a webhook may subscribe to (docs/oversight.md, "Webhooks"). */
export const WEBHOOK_EVENTS = ['appeal.submitted', 'appeal.status_changed', 'appeal.decision', 'appeal.rated', 'appeal.escalated'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookRecord {
  id: string;
  url: string;
  events: WebhookEvent[];
  /** The HMAC key of its signatures (the server signs with it, so it is kept as it is). */
  secret: string;
  /** Payloads may carry personal data (the citizen's name and contacts). */
  trusted: boolean;
  /** Deliveries may go to private and loopback addresses. */
  allowPrivate: boolean;
  active: boolean;
  createdAt: number;
  createdBy: string;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryRecord {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  /** The JSON body as sent (the signature covers exactly these bytes). */
  body: string;
  state: WebhookDeliveryState;
  attempts: number;
  /** The receiver's last HTTP status (null: no answer). */
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
  /** The delivery this one replays. */
  replayOf: string | null;
}

/** The filter of the Open311 requests list; every field narrows it. */
export interface PublicAppealFilter {
  ids?: readonly string[];
  categoryIds?: readonly string[];
  statuses?: readonly Status[];
  /** submittedAt ≥ from, < to. */
  from?: number;
  to?: number;
  limit: number;
}

export interface OversightRepo {
  createApiKey(record: ApiKeyRecord): Promise<void>;
  /** Newest first, revoked ones included. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  apiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Sets revokedAt once; null when unknown, the record (unchanged) when revoked already. */
  revokeApiKey(id: string, at: number): Promise<ApiKeyRecord | null>;

  /** Whether the citizen allowed the appeal to be published (false when never set). */
  isPublic(appealId: string): Promise<boolean>;
  setPublic(appealId: string, isPublic: boolean, at: number): Promise<void>;
  /**
   * Ids of published appeals (allowed by their citizen, not drafts) matching
   * the filter, newest submission first, at most `limit`.
   */
  publicAppealIds(filter: PublicAppealFilter): Promise<string[]>;

  putWebhook(record: WebhookRecord): Promise<void>;
  getWebhook(id: string): Promise<WebhookRecord | null>;
  /** Oldest first. */
  listWebhooks(): Promise<WebhookRecord[]>;
  /** False when there was none; its deliveries stay in the log. */
  deleteWebhook(id: string): Promise<boolean>;

  createDelivery(record: WebhookDeliveryRecord): Promise<void>;
  getDelivery(id: string): Promise<WebhookDeliveryRecord | null>;
  updateDelivery(
    id: string,
    patch: Partial<Pick<WebhookDeliveryRecord, 'state' | 'attempts' | 'lastStatus' | 'lastError' | 'updatedAt' | 'deliveredAt'>>,
  ): Promise<WebhookDeliveryRecord | null>;
  /** Newest first. */
  listDeliveries(filter: { webhookId?: string; limit: number; offset: number }): Promise<Page<WebhookDeliveryRecord>>;
}

/**
 * A filtered read of the audit journal (the journal on screen). An entry
 * belongs to an appeal when its subject is the appeal (`subjectType`
 * 'appeal') or its details name it (`details.appealId`: files, groups);
 * to a department through that appeal's current department.
 */
export interface AuditQuery {
  appealId?: string;
  departmentId?: string;
  /** Entries this person made, or whose subject is this person (`subjectType` 'user'). */
  personId?: string;
  action?: string;
  /** at ≥ from, < to. */
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}
