/**
 * Open311 API keys (docs/oversight.md, "API keys"): admins create, list and
 * revoke them. A key is shown once, at creation; the Store keeps its SHA-256.
 * Every Open311 request needs a live key, and each key spends its own budget
 * of requests per minute (rate-limiter-flexible, in this process's memory).
 */
import { randomBytes } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { ApiKeyView } from '../../../shared/schemas/oversight.schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId, sha256 } from '../../lib/ids.js';
import type { ApiKeyRecord, Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import { forbidden, notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { Open311Error } from './open311.service.js';

/** Keys start with this, so that a leaked one is recognised by secret scanners. */
const KEY_PREFIX = 'cr311_';

const view = (k: ApiKeyRecord): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  ratePerMinute: k.ratePerMinute,
  createdAt: k.createdAt,
  revokedAt: k.revokedAt,
});

export class ApiKeyService {
  private readonly limiters = new Map<string, { rate: number; limiter: RateLimiterMemory }>();

  constructor(private readonly d: { store: Store; clock: Clock; audit: AuditService }) {}

  private admin(viewer: Viewer): void {
    if (viewer.role !== 'admin') throw forbidden();
  }

  async list(viewer: Viewer): Promise<ApiKeyView[]> {
    this.admin(viewer);
    return (await this.d.store.oversight.listApiKeys()).map(view);
  }

  async create(viewer: Viewer, input: { name: string; ratePerMinute: number }): Promise<{ key: ApiKeyView; secret: string }> {
    this.admin(viewer);
    const secret = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id: newId(),
      name: input.name,
      prefix: secret.slice(0, KEY_PREFIX.length + 6),
      keyHash: sha256(secret),
      ratePerMinute: input.ratePerMinute,
      createdAt: this.d.clock.now(),
      createdBy: viewer.id,
      revokedAt: null,
    };
    await this.d.store.oversight.createApiKey(record);
    await this.d.audit.record({
      actorId: viewer.id,
      action: 'api_key.created',
      subjectType: 'api_key',
      subjectId: record.id,
      details: { name: record.name, ratePerMinute: record.ratePerMinute },
    });
    return { key: view(record), secret };
  }

  async revoke(viewer: Viewer, id: string): Promise<ApiKeyView> {
    this.admin(viewer);
    const before = (await this.d.store.oversight.listApiKeys()).find((k) => k.id === id);
    if (!before) throw notFound('Ключ не найден');
    const after = await this.d.store.oversight.revokeApiKey(id, this.d.clock.now());
    if (!after) throw notFound('Ключ не найден');
    if (before.revokedAt === null) {
      await this.d.audit.record({ actorId: viewer.id, action: 'api_key.revoked', subjectType: 'api_key', subjectId: id, details: { name: after.name } });
    }
    return view(after);
  }

  /** The request's key checked and its budget spent; refusals are Open311's (403, 429). */
  async admit(key: string | undefined): Promise<void> {
    if (key === undefined || key === '') throw new Open311Error(403, 'Нужен ключ API: параметр api_key или заголовок X-Api-Key');
    if (key.length > 200) throw new Open311Error(403, 'Ключ API не подходит');
    const record = await this.d.store.oversight.apiKeyByHash(sha256(key));
    if (!record || record.revokedAt !== null) throw new Open311Error(403, 'Ключ API не подходит или отозван');
    let entry = this.limiters.get(record.id);
    if (!entry || entry.rate !== record.ratePerMinute) {
      entry = { rate: record.ratePerMinute, limiter: new RateLimiterMemory({ keyPrefix: `open311:${record.id}`, points: record.ratePerMinute, duration: 60 }) };
      this.limiters.set(record.id, entry);
    }
    try {
      await entry.limiter.consume(record.id);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        const wait = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw new Open311Error(429, `Лимит ключа исчерпан: ${record.ratePerMinute} запросов в минуту; повторите через ${wait} с`, wait);
      }
      throw error;
    }
  }
}
