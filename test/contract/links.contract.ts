/**
 * What linked appeals keep in the Store (link.records.ts), declared inside the
 * Store contract (store.contract.ts) so that it runs on each adapter: an
 * escalation's two writes as one (`createLinked`: both or neither), the
 * repeats found by the appeal they repeat, the filter by kind, a
 * complaint's subject and a suggestion's mark, and a department's parent.
 */
import { describe, expect, it } from 'vitest';
import type { AppealRecord, Store } from '../../server/store/store.js';
import { T0, makeAuditDraft, makeDepartment, makeRegisteredAppeal } from '../helpers/factories.js';

const escalation = (fromAppealId: string): NonNullable<AppealRecord['escalation']> => ({
  fromAppealId,
  fromNumber: '77-2026-000001',
  fromDepartmentId: 'dep-housing-0001',
  reason: 'Департамент не выполнил перерасчёт',
  evidenceIds: ['att-0000000001'],
  byId: 'u-citizen-00001',
  byRole: 'citizen',
  at: T0,
  answer: { kind: 'note', text: 'Поручено департаменту', at: T0 + 1, byId: 'u-officer-0001', byName: 'Орлов Михаил' },
});

export function describeLinks(s: () => Store): void {
  describe('linked appeals', () => {
    it('createLinked stores the new appeal and the change of the original together, with the journal entry', async () => {
      const original = makeRegisteredAppeal();
      await s().appeals.create(original);
      const created = makeRegisteredAppeal({ citizenId: original.citizenId, departmentId: 'dep-minstroy-01', escalation: escalation(original.id) });
      const link = { appealId: created.id, departmentId: 'dep-minstroy-01', at: T0 };
      const updated = await s().appeals.createLinked(
        created,
        original.id,
        original.version,
        { escalations: [link], readerDepartmentIds: ['dep-minstroy-01'], updatedAt: T0 + 5 },
        makeAuditDraft({ action: 'appeal.escalated', subjectId: original.id }),
      );
      expect(updated).toEqual({ ...original, escalations: [link], readerDepartmentIds: ['dep-minstroy-01'], updatedAt: T0 + 5, version: original.version + 1 });
      expect(await s().appeals.get(created.id)).toEqual(created);
      expect(await s().appeals.get(original.id)).toEqual(updated);
      const journal = await s().audit.list(0, 1000);
      expect(journal.filter((e) => e.action === 'appeal.escalated' && e.subjectId === original.id)).toHaveLength(1);
    });

    it('createLinked stores neither when the original moved on (a lost compare-and-set), nor any journal entry', async () => {
      const original = makeRegisteredAppeal();
      await s().appeals.create(original);
      const created = makeRegisteredAppeal({ escalation: escalation(original.id) });
      const lost = await s().appeals.createLinked(
        created,
        original.id,
        original.version + 7,
        { escalations: [{ appealId: created.id, departmentId: 'dep-x-00000001', at: T0 }] },
        makeAuditDraft({ action: 'appeal.escalated_lost', subjectId: original.id }),
      );
      expect(lost).toBeNull();
      expect(await s().appeals.get(created.id)).toBeNull();
      expect(await s().appeals.get(original.id)).toEqual(original);
      expect((await s().audit.list(0, 1000)).some((e) => e.action === 'appeal.escalated_lost')).toBe(false);
      expect(await s().appeals.createLinked(makeRegisteredAppeal(), 'missing-appeal-01', 1, {})).toBeNull();
    });

    it('lists the repeats of an appeal and filters by kind; keeps a complaint and a suggestion mark', async () => {
      const departmentId = `dep-links-${Math.random().toString(36).slice(2, 8)}`;
      const original = makeRegisteredAppeal({ departmentId, status: 'completed' });
      const repeat = makeRegisteredAppeal({ departmentId, repeatOfId: original.id, type: 'application' });
      const complaint = makeRegisteredAppeal({
        departmentId,
        type: 'complaint',
        complaint: { conduct: 'inaction', concerned: 'Инспектор Смирнова', departmentId },
      });
      const suggestion = makeRegisteredAppeal({ departmentId, type: 'suggestion', suggestionMark: 'under_consideration' });
      for (const a of [original, repeat, complaint, suggestion]) await s().appeals.create(a);
      const repeats = await s().appeals.list({ repeatOfId: original.id, sort: 'created', limit: 10, offset: 0 });
      expect(repeats.items.map((a) => a.id)).toStrictEqual([repeat.id]);
      expect(repeats.total).toBe(1);
      const suggestions = await s().appeals.list({ departmentId, type: 'suggestion', sort: 'created', limit: 10, offset: 0 });
      expect(suggestions.items).toEqual([suggestion]);
      const complaints = await s().appeals.list({ departmentId, type: 'complaint', sort: 'created', limit: 10, offset: 0 });
      expect(complaints.items.map((a) => a.id).sort()).toStrictEqual([original.id, complaint.id].sort());
      expect((await s().appeals.get(complaint.id))?.complaint).toStrictEqual({ conduct: 'inaction', concerned: 'Инспектор Смирнова', departmentId });
      const marked = await s().appeals.update(suggestion.id, suggestion.version, { suggestionMark: 'taken_into_account' });
      expect(marked?.suggestionMark).toBe('taken_into_account');
    });

    it("keeps a department's parent, and patches it", async () => {
      const top = makeDepartment({ code: `top-${Math.random().toString(36).slice(2, 8)}`, level: 'federal' });
      const below = makeDepartment({ code: `below-${Math.random().toString(36).slice(2, 8)}`, parentId: top.id });
      await s().catalogue.createDepartment(top);
      await s().catalogue.createDepartment(below);
      expect(await s().catalogue.getDepartment(below.id)).toEqual(below);
      expect((await s().catalogue.getDepartment(top.id))?.parentId).toBeNull();
      expect(await s().catalogue.updateDepartment(below.id, { parentId: null })).toEqual({ ...below, parentId: null });
    });
  });
}
