/**
 * Oversight in the Store (oversight.port.ts), declared inside the Store
 * contract (store.contract.ts) so that it runs on each adapter: the journal's
 * filtered read (by appeal — subject or details — department, person, action,
 * period; newest first, paged), the Open311 keys and publication consents
 * with the published appeals' filter, webhooks and their delivery log.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../server/lib/ids.js';
import type { ApiKeyRecord, Store, WebhookDeliveryRecord, WebhookRecord } from '../../server/store/store.js';
import { StoreError } from '../../server/store/store.js';
import { DAY, HOUR, T0, makeAuditDraft, makeRegisteredAppeal } from '../helpers/factories.js';

const depA = 'dep-oversight-aaaa';
const depB = 'dep-oversight-bbbb';

export function describeOversight(s: () => Store): void {
  describe('oversight: the journal’s filtered read', () => {
    it('filters by appeal, department, person, action and period, newest first, with the total', async () => {
      const a1 = makeRegisteredAppeal({ departmentId: depA });
      const a2 = makeRegisteredAppeal({ departmentId: depB });
      await s().appeals.create(a1);
      await s().appeals.create(a2);
      const alice = newId();
      const bob = newId();
      const drafts = [
        makeAuditDraft({
          at: T0,
          actorId: alice,
          action: 'appeal.assigned',
          subjectType: 'appeal',
          subjectId: a1.id,
          details: { assigneeId: bob, previous: null },
        }),
        makeAuditDraft({
          at: T0 + HOUR,
          actorId: bob,
          action: 'attachment.uploaded',
          subjectType: 'attachment',
          subjectId: newId(),
          details: { appealId: a1.id },
        }),
        makeAuditDraft({ at: T0 + 2 * HOUR, actorId: alice, action: 'appeal.assigned', subjectType: 'appeal', subjectId: a2.id, details: {} }),
        makeAuditDraft({ at: T0 + DAY, actorId: bob, action: 'account.login', subjectType: 'user', subjectId: bob, details: {} }),
        makeAuditDraft({ at: T0 + 2 * DAY, actorId: alice, action: 'admin.user_updated', subjectType: 'user', subjectId: bob, details: { changed: ['role'] } }),
      ];
      const seqs: number[] = [];
      for (const d of drafts) seqs.push((await s().audit.append(d)).seq);
      const [e1, e2, e3, e4, e5] = seqs as [number, number, number, number, number];
      const q = async (f: Partial<Parameters<Store['audit']['query']>[0]>) => {
        const page = await s().audit.query({ limit: 50, offset: 0, ...f });
        return { seqs: page.items.map((e) => e.seq), total: page.total };
      };
      expect(await q({})).toEqual({ seqs: [e5, e4, e3, e2, e1], total: 5 });
      expect(await q({ appealId: a1.id })).toEqual({ seqs: [e2, e1], total: 2 });
      expect(await q({ departmentId: depA })).toEqual({ seqs: [e2, e1], total: 2 });
      expect(await q({ departmentId: depB })).toEqual({ seqs: [e3], total: 1 });
      expect(await q({ departmentId: 'dep-oversight-none' })).toEqual({ seqs: [], total: 0 });
      // A person: what they did, and what was done to them as a user.
      expect(await q({ personId: bob })).toEqual({ seqs: [e5, e4, e2], total: 3 });
      expect(await q({ personId: alice, action: 'appeal.assigned' })).toEqual({ seqs: [e3, e1], total: 2 });
      expect(await q({ from: T0 + HOUR, to: T0 + DAY })).toEqual({ seqs: [e3, e2], total: 2 });
      expect(await q({ departmentId: depA, from: T0 + 1 })).toEqual({ seqs: [e2], total: 1 });
      expect(await q({ limit: 2, offset: 1 })).toEqual({ seqs: [e4, e3], total: 5 });
      const [first] = (await s().audit.query({ appealId: a1.id, limit: 1, offset: 0 })).items;
      expect(first).toEqual({ ...drafts[1], seq: e2, prevHash: expect.any(String) as string, hash: expect.any(String) as string });
    });
  });

  describe('oversight: Open311 keys and publication', () => {
    it('creates, finds by hash, lists newest first and revokes a key once', async () => {
      const key = (over: Partial<ApiKeyRecord>): ApiKeyRecord => ({
        id: newId(),
        name: 'Портал города',
        prefix: 'cr311_abcdef',
        keyHash: newId(),
        ratePerMinute: 60,
        createdAt: T0,
        createdBy: newId(),
        revokedAt: null,
        ...over,
      });
      const k1 = key({});
      const k2 = key({ createdAt: T0 + 1, name: 'Агрегатор' });
      await s().oversight.createApiKey(k1);
      await s().oversight.createApiKey(k2);
      await expect(s().oversight.createApiKey(key({ keyHash: k1.keyHash }))).rejects.toBeInstanceOf(StoreError);
      expect(await s().oversight.apiKeyByHash(k1.keyHash)).toEqual(k1);
      expect(await s().oversight.apiKeyByHash('none')).toBeNull();
      expect((await s().oversight.listApiKeys()).map((k) => k.id)).toEqual([k2.id, k1.id]);
      expect(await s().oversight.revokeApiKey(k1.id, T0 + 5)).toEqual({ ...k1, revokedAt: T0 + 5 });
      expect(await s().oversight.revokeApiKey(k1.id, T0 + 9)).toEqual({ ...k1, revokedAt: T0 + 5 });
      expect(await s().oversight.revokeApiKey('unknown-key-id', T0)).toBeNull();
    });

    it('publishes only what the citizen allowed, filtered by id, category, status and submission time, newest first', async () => {
      const catA = newId();
      const catB = newId();
      const p1 = makeRegisteredAppeal({ categoryId: catA, submittedAt: T0, createdAt: T0 });
      const p2 = makeRegisteredAppeal({ categoryId: catB, submittedAt: T0 + DAY, createdAt: T0 + DAY, status: 'completed' });
      const hidden = makeRegisteredAppeal({ categoryId: catA, submittedAt: T0 + 2 * DAY });
      const withdrawn = makeRegisteredAppeal({ categoryId: catA, submittedAt: T0 + 3 * DAY });
      for (const a of [p1, p2, hidden, withdrawn]) await s().appeals.create(a);
      expect(await s().oversight.isPublic(p1.id)).toBe(false);
      await s().oversight.setPublic(p1.id, true, T0);
      await s().oversight.setPublic(p2.id, true, T0);
      await s().oversight.setPublic(withdrawn.id, true, T0);
      await s().oversight.setPublic(withdrawn.id, false, T0 + 1);
      expect(await s().oversight.isPublic(p1.id)).toBe(true);
      expect(await s().oversight.isPublic(withdrawn.id)).toBe(false);
      const ids = (f: Partial<Parameters<Store['oversight']['publicAppealIds']>[0]>) => s().oversight.publicAppealIds({ limit: 100, ...f });
      expect(await ids({ categoryIds: [catA, catB] })).toEqual([p2.id, p1.id]);
      expect(await ids({ categoryIds: [catA] })).toEqual([p1.id]);
      expect(await ids({ categoryIds: [] })).toEqual([]);
      expect(await ids({ ids: [p1.id, hidden.id] })).toEqual([p1.id]);
      expect(await ids({ ids: [p1.id, p2.id], statuses: ['completed', 'rejected'] })).toEqual([p2.id]);
      expect(await ids({ ids: [p1.id, p2.id], from: T0 + 1 })).toEqual([p2.id]);
      expect(await ids({ ids: [p1.id, p2.id], to: T0 + 1 })).toEqual([p1.id]);
      expect(await ids({ ids: [p1.id, p2.id], limit: 1 })).toEqual([p2.id]);
    });
  });

  describe('oversight: webhooks and deliveries', () => {
    it('keeps webhooks and a delivery log, paged newest first, per webhook', async () => {
      const hook: WebhookRecord = {
        id: newId(),
        url: 'https://example.org/hook',
        events: ['appeal.submitted', 'appeal.rated'],
        secret: 's3cret',
        trusted: false,
        allowPrivate: false,
        active: true,
        createdAt: T0,
        createdBy: newId(),
      };
      await s().oversight.putWebhook(hook);
      await s().oversight.putWebhook({ ...hook, id: newId(), createdAt: T0 + 1, url: 'https://example.org/other' });
      expect(await s().oversight.getWebhook(hook.id)).toEqual(hook);
      expect((await s().oversight.listWebhooks()).map((h) => h.url)).toEqual(['https://example.org/hook', 'https://example.org/other']);
      const delivery = (over: Partial<WebhookDeliveryRecord>): WebhookDeliveryRecord => ({
        id: newId(),
        webhookId: hook.id,
        event: 'appeal.submitted',
        body: '{"a":1}',
        state: 'pending',
        attempts: 0,
        lastStatus: null,
        lastError: null,
        createdAt: T0,
        updatedAt: T0,
        deliveredAt: null,
        replayOf: null,
        ...over,
      });
      const d1 = delivery({});
      const d2 = delivery({ createdAt: T0 + 1, replayOf: d1.id });
      const d3 = delivery({ createdAt: T0 + 2, webhookId: 'another-hook-id' });
      for (const d of [d1, d2, d3]) await s().oversight.createDelivery(d);
      await expect(s().oversight.createDelivery(d1)).rejects.toMatchObject({ code: 'duplicate' });
      expect(await s().oversight.getDelivery(d2.id)).toEqual(d2);
      const updated = await s().oversight.updateDelivery(d1.id, { state: 'delivered', attempts: 4, lastStatus: 200, deliveredAt: T0 + 9, updatedAt: T0 + 9 });
      expect(updated).toEqual({ ...d1, state: 'delivered', attempts: 4, lastStatus: 200, deliveredAt: T0 + 9, updatedAt: T0 + 9 });
      expect(await s().oversight.updateDelivery('no-such-delivery', { attempts: 1 })).toBeNull();
      const all = await s().oversight.listDeliveries({ limit: 2, offset: 0 });
      expect({ ids: all.items.map((d) => d.id), total: all.total }).toEqual({ ids: [d3.id, d2.id], total: 3 });
      const mine = await s().oversight.listDeliveries({ webhookId: hook.id, limit: 10, offset: 1 });
      expect({ ids: mine.items.map((d) => d.id), total: mine.total }).toEqual({ ids: [d1.id], total: 2 });
      expect(await s().oversight.deleteWebhook(hook.id)).toBe(true);
      expect(await s().oversight.deleteWebhook(hook.id)).toBe(false);
      expect(await s().oversight.getDelivery(d1.id)).not.toBeNull();
    });
  });
}
