/**
 * Oversight on MongoDB (oversight.port.ts), through the driver's own
 * collections: `api_keys`, `appeal_publicity` (`_id` = the appeal's id),
 * `webhooks`, `webhook_deliveries`; and the journal's filtered read over
 * `audit` with the indexes it needs (built by `init`).
 */
import type { Connection, mongo } from 'mongoose';
import type { ApiKeyRecord, AuditQuery, AuditRecord, OversightRepo, Page, WebhookDeliveryRecord, WebhookRecord } from '../store.js';
import { toAudit } from './convert.js';
import { guarded } from './errors.js';
import { DURABLE, type Models } from './schemas.js';
import { num, type InFlight } from './sequence.js';

type Doc<T> = T & { _id: string };

const str = (s: string): string => {
  if (typeof s !== 'string') throw new TypeError('expected a string');
  return s;
};
const strs = (values: readonly string[]): string[] => values.map(str);

/** A record without the driver's `_id`. */
function strip<T extends object>(d: Doc<T>): T {
  const { _id: _ignored, ...rest } = d;
  return rest as unknown as T;
}

const toApiKey = (d: Doc<ApiKeyRecord>): ApiKeyRecord => ({
  id: d.id,
  name: d.name,
  prefix: d.prefix,
  keyHash: d.keyHash,
  ratePerMinute: d.ratePerMinute,
  createdAt: d.createdAt,
  createdBy: d.createdBy,
  revokedAt: d.revokedAt ?? null,
});
const toWebhook = (d: Doc<WebhookRecord>): WebhookRecord => ({ ...strip(d), events: [...d.events] });
const toDelivery = (d: Doc<WebhookDeliveryRecord>): WebhookDeliveryRecord => {
  const r = strip(d);
  return { ...r, lastStatus: r.lastStatus ?? null, lastError: r.lastError ?? null, deliveredAt: r.deliveredAt ?? null, replayOf: r.replayOf ?? null };
};

interface PublicityDoc {
  _id: string;
  isPublic: boolean;
  at: number;
}

interface AppealRow {
  id: string;
}

const ofAppeals = (ids: string[]): mongo.Filter<AuditRecord> => ({
  $or: [{ subjectType: 'appeal', subjectId: { $in: ids } }, { 'details.appealId': { $in: ids } }],
});

/** The journal's filtered read, newest first (its indexes are built by `mongoOversight`'s init). */
export async function queryAudit(m: Models, f: AuditQuery): Promise<Page<AuditRecord>> {
  const audit = m.audit.collection as unknown as mongo.Collection<AuditRecord>;
  const appeals = m.appeals.collection as unknown as mongo.Collection<AppealRow>;
  const and: mongo.Filter<AuditRecord>[] = [];
  if (f.appealId !== undefined) and.push(ofAppeals([str(f.appealId)]));
  if (f.departmentId !== undefined) {
    const rows = await appeals.find({ departmentId: { $eq: str(f.departmentId) } }, { projection: { id: 1, _id: 0 } }).toArray();
    and.push(ofAppeals(rows.map((r) => r.id)));
  }
  if (f.personId !== undefined) {
    const p = str(f.personId);
    and.push({ $or: [{ actorId: { $eq: p } }, { subjectType: 'user', subjectId: { $eq: p } }] });
  }
  if (f.action !== undefined) and.push({ action: { $eq: str(f.action) } });
  if (f.from !== undefined) and.push({ at: { $gte: num(f.from) } });
  if (f.to !== undefined) and.push({ at: { $lt: num(f.to) } });
  const filter: mongo.Filter<AuditRecord> = and.length > 0 ? { $and: and } : {};
  const [docs, total] = await Promise.all([
    audit.find(filter).sort({ seq: -1 }).skip(num(f.offset)).limit(num(f.limit)).toArray(),
    audit.countDocuments(filter),
  ]);
  return { items: docs.map((d) => toAudit(d)), total };
}

export function mongoOversight(conn: Connection, inFlight: InFlight): { repo: OversightRepo; init: () => Promise<void> } {
  const db = conn.db;
  if (!db) throw new Error('the MongoDB connection is not open');
  const keys = db.collection<Doc<ApiKeyRecord>>('api_keys', { writeConcern: DURABLE });
  const publicity = db.collection<PublicityDoc>('appeal_publicity', { writeConcern: DURABLE });
  const hooks = db.collection<Doc<WebhookRecord>>('webhooks', { writeConcern: DURABLE });
  const deliveries = db.collection<Doc<WebhookDeliveryRecord>>('webhook_deliveries', { writeConcern: DURABLE });
  const audit = db.collection<AuditRecord>('audit');
  const appeals = db.collection<AppealRow & Record<string, unknown>>('appeals');

  const init = async (): Promise<void> => {
    await keys.createIndex({ keyHash: 1 }, { unique: true, name: 'keyHash_1' }, undefined);
    await hooks.createIndex({ createdAt: 1, _id: 1 }, { name: 'createdAt_1__id_1' }, undefined);
    await deliveries.createIndex({ createdAt: -1, _id: -1 }, { name: 'createdAt_-1__id_-1' }, undefined);
    await deliveries.createIndex({ webhookId: 1, createdAt: -1, _id: -1 }, { name: 'webhookId_1_createdAt_-1__id_-1' }, undefined);
    await audit.createIndex({ subjectType: 1, subjectId: 1, seq: -1 }, { name: 'q_subject' }, undefined);
    await audit.createIndex({ 'details.appealId': 1, seq: -1 }, { name: 'q_details_appeal', sparse: true }, undefined);
    await audit.createIndex({ actorId: 1, seq: -1 }, { name: 'q_actor' }, undefined);
    await audit.createIndex({ action: 1, seq: -1 }, { name: 'q_action' }, undefined);
    await audit.createIndex({ at: 1 }, { name: 'q_at' }, undefined);
  };

  const repo: OversightRepo = {
    async createApiKey(record) {
      await guarded(() => inFlight.track(() => keys.insertOne({ ...record, _id: str(record.id) })));
    },
    async listApiKeys() {
      return (await keys.find({}).sort({ createdAt: -1, _id: -1 }).toArray()).map(toApiKey);
    },
    async apiKeyByHash(keyHash) {
      const d = await keys.findOne({ keyHash: { $eq: str(keyHash) } });
      return d ? toApiKey(d) : null;
    },
    async revokeApiKey(id, at) {
      await inFlight.track(() => keys.updateOne({ _id: str(id), revokedAt: null }, { $set: { revokedAt: num(at) } }));
      const d = await keys.findOne({ _id: str(id) });
      return d ? toApiKey(d) : null;
    },

    async isPublic(appealId) {
      const d = await publicity.findOne({ _id: str(appealId) });
      return d?.isPublic === true;
    },
    async setPublic(appealId, isPublic, at) {
      await inFlight.track(() => publicity.updateOne({ _id: str(appealId) }, { $set: { isPublic, at: num(at) } }, { upsert: true }));
    },
    async publicAppealIds(f) {
      const allowed = (await publicity.find({ isPublic: true }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
      const ids = f.ids === undefined ? allowed : strs(f.ids).filter((id) => allowed.includes(id));
      const filter: Record<string, unknown> = { id: { $in: ids }, status: { $ne: 'draft' }, submittedAt: { $ne: null } };
      if (f.categoryIds !== undefined) filter.categoryId = { $in: strs(f.categoryIds) };
      if (f.statuses !== undefined) filter.status = { $in: strs(f.statuses) };
      const range: Record<string, number> = {};
      if (f.from !== undefined) range.$gte = num(f.from);
      if (f.to !== undefined) range.$lt = num(f.to);
      filter.submittedAt = { $ne: null, ...range };
      const rows = await appeals
        .find(filter, { projection: { id: 1, _id: 0 } })
        .sort({ submittedAt: -1, id: -1 })
        .limit(num(f.limit))
        .toArray();
      return rows.map((r) => r.id);
    },

    async putWebhook(record) {
      const { id, ...rest } = record;
      await inFlight.track(() => hooks.replaceOne({ _id: str(id) }, { ...rest, id, events: [...record.events] }, { upsert: true }));
    },
    async getWebhook(id) {
      const d = await hooks.findOne({ _id: str(id) });
      return d ? toWebhook(d) : null;
    },
    async listWebhooks() {
      return (await hooks.find({}).sort({ createdAt: 1, _id: 1 }).toArray()).map(toWebhook);
    },
    async deleteWebhook(id) {
      const res = await inFlight.track(() => hooks.deleteOne({ _id: str(id) }));
      return res.deletedCount > 0;
    },

    async createDelivery(record) {
      await guarded(() => inFlight.track(() => deliveries.insertOne({ ...record, _id: str(record.id) })));
    },
    async getDelivery(id) {
      const d = await deliveries.findOne({ _id: str(id) });
      return d ? toDelivery(d) : null;
    },
    async updateDelivery(id, patch) {
      const set: Record<string, unknown> = {};
      for (const k of ['state', 'attempts', 'lastStatus', 'lastError', 'updatedAt', 'deliveredAt'] as const) if (patch[k] !== undefined) set[k] = patch[k];
      if (Object.keys(set).length > 0) await inFlight.track(() => deliveries.updateOne({ _id: str(id) }, { $set: set }));
      const d = await deliveries.findOne({ _id: str(id) });
      return d ? toDelivery(d) : null;
    },
    async listDeliveries(f) {
      const filter = f.webhookId === undefined ? {} : { webhookId: { $eq: str(f.webhookId) } };
      const [docs, total] = await Promise.all([
        deliveries.find(filter).sort({ createdAt: -1, _id: -1 }).skip(num(f.offset)).limit(num(f.limit)).toArray(),
        deliveries.countDocuments(filter),
      ]);
      return { items: docs.map(toDelivery), total };
    },
  };
  return { repo, init };
}
