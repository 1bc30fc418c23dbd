/**
 * The access log of personal data in the Store (access-log.records.ts):
 * `personal_data.read` entries of the one audit journal, read back by person,
 * by department, by appeal and by period, newest first and paged; the chain
 * still verifies over them. Also the appeal's per-appeal choice for experts.
 * Declared inside the Store contract (store.contract.ts), so it runs on each adapter.
 */
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/domain/audit/audit.service.js';
import { PERSONAL_DATA_READ } from '../../server/store/access-log.records.js';
import type { AuditDraft, Store } from '../../server/store/store.js';
import { makeAppeal, T0 } from '../helpers/factories.js';

const read = (n: number, over: { subjectId: string; departmentId: string; appealId: string; actorId?: string }): AuditDraft => ({
  at: T0 + n * 1000,
  actorId: over.actorId ?? 'u-reader-000001',
  action: PERSONAL_DATA_READ,
  subjectType: 'user',
  subjectId: over.subjectId,
  details: { appealId: over.appealId, appealNumber: null, departmentId: over.departmentId, role: 'operator', fields: ['email', 'phone'], via: 'appeal' },
});

export function describeAccessLog(s: () => Store): void {
  describe('access log (personal_data.read in the audit journal)', () => {
    it('lists by person, by department, by appeal and by period, newest first, in pages; other actions stay out', async () => {
      const a = { subjectId: 'u-person-00000a', departmentId: 'dep-access-0001', appealId: 'appeal-access-01' };
      const b = { subjectId: 'u-person-00000b', departmentId: 'dep-access-0002', appealId: 'appeal-access-02' };
      const seqs: number[] = [];
      for (let i = 1; i <= 5; i++) seqs.push((await s().audit.append(read(i, a))).seq);
      await s().audit.append({
        at: T0 + 5500,
        actorId: 'u-reader-000001',
        action: 'appeal.assigned',
        subjectType: 'user',
        subjectId: a.subjectId,
        details: { departmentId: a.departmentId },
      });
      const other = await s().audit.append(read(6, b));
      await s().audit.append(read(7, { ...a, appealId: 'appeal-access-03' }));

      const byPerson = await s().audit.accessLog({ subjectId: a.subjectId, limit: 10 });
      expect(byPerson.map((e) => e.details.appealId)).toEqual(['appeal-access-03', ...Array(5).fill(a.appealId)]);
      expect(byPerson.every((e) => e.action === PERSONAL_DATA_READ)).toBe(true);
      expect(byPerson.map((e) => e.seq)).toEqual([...byPerson.map((e) => e.seq)].sort((x, y) => y - x));

      const page1 = await s().audit.accessLog({ subjectId: a.subjectId, appealId: a.appealId, limit: 2 });
      expect(page1.map((e) => e.seq)).toEqual([seqs[4], seqs[3]]);
      const page2 = await s().audit.accessLog({ subjectId: a.subjectId, appealId: a.appealId, beforeSeq: page1[1]!.seq, limit: 2 });
      expect(page2.map((e) => e.seq)).toEqual([seqs[2], seqs[1]]);

      expect((await s().audit.accessLog({ departmentId: b.departmentId, limit: 10 })).map((e) => e.seq)).toEqual([other.seq]);
      expect((await s().audit.accessLog({ departmentId: a.departmentId, from: T0 + 2000, to: T0 + 4000, limit: 10 })).map((e) => e.at)).toEqual([
        T0 + 3000,
        T0 + 2000,
      ]);
      expect(await s().audit.accessLog({ subjectId: 'u-nobody-000000', limit: 10 })).toEqual([]);
      expect(await s().audit.accessLog({ subjectId: a.subjectId, limit: 0 })).toEqual([]);

      // The entries are the journal's: one chain.
      expect(await verifyAuditChain((after, limit) => s().audit.list(after, limit))).toMatchObject({ ok: true });
    });

    it('keeps the per-appeal choice for experts (off by default), and changes it by update', async () => {
      const plain = makeAppeal({ id: 'appeal-privacy-1' });
      await s().appeals.create(plain);
      expect((await s().appeals.get(plain.id))?.expertsSeeContacts).toBe(false);
      const updated = await s().appeals.update(plain.id, plain.version, { expertsSeeContacts: true });
      expect(updated?.expertsSeeContacts).toBe(true);
      expect((await s().appeals.get(plain.id))?.expertsSeeContacts).toBe(true);
      await s().appeals.create(makeAppeal({ id: 'appeal-privacy-2', expertsSeeContacts: true }));
      expect((await s().appeals.get('appeal-privacy-2'))?.expertsSeeContacts).toBe(true);
    });
  });
}
