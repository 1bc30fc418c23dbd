/**
 * Behaviours that must hold between processes, not only inside one process's
 * queues: two stores opened on the same data, racing. On MongoDB each store
 * has its own connection and its own in-process queues, exactly as two
 * servers would (mongo.test.ts). On SQLite a second store on a data directory
 * is refused by its lock, so these races cannot arise there (sqlite.test.ts
 * asserts the refusal).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEED_CATEGORIES, SEED_DEPARTMENTS } from '../../shared/catalogue.js';
import { seedDemoAccounts } from '../../server/domain/accounts/seed.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { CatalogueService } from '../../server/domain/catalogue/catalogue.service.js';
import { ManualClock } from '../../server/lib/clock.js';
import { GENESIS_HASH, hashAuditEntry } from '../../server/store/audit-chain.js';
import type { Store } from '../../server/store/store.js';
import { makeAppeal, makeAttachment, makeAttachmentVersion, makeAuditDraft, makeChatMessage, makeCode, makeHistoryEntry, T0 } from '../helpers/factories.js';
import { describeJobsAcrossStores } from './jobs.contract.js';

export interface StorePair {
  a: Store;
  b: Store;
  cleanup: () => Promise<void>;
}

export interface CrossStoreOptions {
  /**
   * Why compare-and-set updates (a conditional `findOneAndUpdate`) cannot be
   * raced between processes on this server, or null when they can.
   */
  conditionalUpdatesSkip: string | null;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

export function runCrossStoreContract(name: string, openPair: () => Promise<StorePair>, options: CrossStoreOptions): void {
  describe(`Cross-store contract: ${name}`, () => {
    let pair: StorePair;
    beforeEach(async () => {
      pair = await openPair();
    });
    afterEach(async () => {
      await pair.cleanup();
    });
    const both = (): [Store, Store] => [pair.a, pair.b];

    // A claim is won by a unique insert, atomic on every MongoDB-wire server: not skipped on FerretDB.
    describeJobsAcrossStores(both);

    it('numbers: two stores drawing on one counter get distinct values with no gap', async () => {
      const values = await Promise.all(range(60).map((i) => both()[i % 2]!.counters.next('appeal:77:2026')));
      expect([...values].sort((x, y) => x - y)).toEqual(range(60));
    });

    it('chat: appends through both stores get one gapless seq each', async () => {
      const stored = await Promise.all(range(40).map((i) => both()[i % 2]!.chat.append(makeChatMessage({ appealId: 'room' }))));
      expect(stored.map((s) => s.message.seq).sort((x, y) => x - y)).toEqual(range(40));
      expect((await pair.a.chat.list('room', { limit: 100, includeInternal: true })).map((m) => m.seq)).toEqual(range(40));
    });

    it('chat: a clientId sent through both stores at once is stored once, and both answer with it', async () => {
      const msgs = range(15).map(() => makeChatMessage({ appealId: 'room-ids' }));
      const results = await Promise.all(msgs.flatMap((m) => [pair.a.chat.append(m), pair.b.chat.append({ ...m, text: 'повтор' })]));
      for (let i = 0; i < msgs.length; i++) {
        const [x, y] = [results[2 * i]!, results[2 * i + 1]!];
        expect(x.message).toEqual(y.message);
        expect([x.created, y.created].filter(Boolean)).toHaveLength(1);
      }
      const list = await pair.b.chat.list('room-ids', { limit: 100, includeInternal: true });
      expect(list.map((m) => m.seq)).toEqual(range(15));
      expect(new Set(list.map((m) => m.clientId)).size).toBe(15);
    });

    it('audit: appends through both stores form one unbroken hash chain', async () => {
      await Promise.all(range(40).map((i) => both()[i % 2]!.audit.append(makeAuditDraft({ action: `a.${i}` }))));
      const journal = await pair.a.audit.list(0, 100);
      expect(journal.map((e) => e.seq)).toEqual(range(40));
      let prev = GENESIS_HASH;
      for (const e of journal) {
        expect(e.prevHash).toBe(prev);
        expect(hashAuditEntry(e)).toBe(e.hash);
        prev = e.hash;
      }
    });

    it('yjs: appends through both stores get distinct gapless seqs', async () => {
      const seqs = await Promise.all(range(40).map((i) => both()[i % 2]!.yjs.append('doc', new Uint8Array([i]), null, T0)));
      expect([...seqs].sort((x, y) => x - y)).toEqual(range(40));
    });

    it('seeding: two servers starting on one empty store both finish, with one catalogue and one set of demo accounts', async () => {
      const clock = new ManualClock();
      await Promise.all(both().map((s) => new CatalogueService(s, new AuditService(s, clock)).seed()));
      const departments = await pair.a.catalogue.listDepartments();
      const categories = await pair.b.catalogue.listCategories();
      expect(departments.map((d) => d.code).sort()).toEqual(SEED_DEPARTMENTS.map((d) => d.code).sort());
      expect(categories.map((c) => c.code).sort()).toEqual(SEED_CATEGORIES.map((c) => c.code).sort());
      const ids = new Set(departments.map((d) => d.id));
      for (const c of categories) expect(ids.has(c.departmentId)).toBe(true);

      const seeded = await Promise.all(both().map((s) => seedDemoAccounts(s, clock, departments)));
      const logins = seeded.flat().map((x) => x.login);
      expect(new Set(logins).size).toBe(logins.length);
      expect(await pair.a.users.count()).toBe(logins.length);
    }, 60_000);

    describe.skipIf(options.conditionalUpdatesSkip !== null)(
      `compare-and-set between processes${options.conditionalUpdatesSkip ? ` (skipped: ${options.conditionalUpdatesSkip})` : ''}`,
      () => {
        it('appeals: of updates from one version through both stores exactly one wins', async () => {
          const appeal = makeAppeal();
          await pair.a.appeals.create(appeal);
          const results = await Promise.all(range(10).map((i) => both()[i % 2]!.appeals.update(appeal.id, 1, { subject: `writer ${i}` })));
          expect(results.filter((r) => r !== null)).toHaveLength(1);
        });

        it('status: of transitions from one version through both stores exactly one wins, with one history entry and one journal entry', async () => {
          const appeal = makeAppeal();
          await pair.a.appeals.create(appeal);
          const results = await Promise.all(
            range(8).map((i) =>
              both()[i % 2]!.appeals.transition(
                appeal.id,
                1,
                { status: 'registered' },
                makeHistoryEntry({ comment: `c${i}` }),
                makeAuditDraft({ action: `t.${i}` }),
              ),
            ),
          );
          const winners = results.filter((r) => r !== null);
          expect(winners).toHaveLength(1);
          expect(await pair.b.appeals.history(appeal.id)).toEqual([winners[0]?.entry]);
          expect((await pair.a.audit.list(0, 10)).map((e) => e.action)).toHaveLength(1);
        });

        it('attachments: of two stores adding the same version number, one wins', async () => {
          const att = makeAttachment();
          await pair.a.attachments.create(att);
          const results = await Promise.all(
            range(6).map((i) => both()[i % 2]!.attachments.addVersion(att.id, makeAttachmentVersion({ version: 2, fileName: `v${i}.pdf` }))),
          );
          expect(results.filter((r) => r !== null)).toHaveLength(1);
          expect((await pair.b.attachments.get(att.id))?.versions.map((v) => v.version)).toEqual([1, 2]);
        });

        it('codes: of consumers in both stores exactly one wins', async () => {
          const code = makeCode();
          await pair.a.codes.create(code);
          const results = await Promise.all(range(10).map((i) => both()[i % 2]!.codes.consume(code.id, T0 + i)));
          expect(results.filter(Boolean)).toHaveLength(1);
        });
      },
    );
  });
}
