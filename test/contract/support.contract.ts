/**
 * Support conversations in the Store (docs/support.md): an appeal record's
 * `kind` is stored and read back, and the list filters by it. Declared inside
 * the Store contract (store.contract.ts) so that it runs on each adapter.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/store.js';
import { makeAppeal, T0 } from '../helpers/factories.js';

export function describeSupportKind(s: () => Store): void {
  describe('appeal kinds (support conversations)', () => {
    it('stores the kind, reads it back, keeps it across a patch, and lists by it', async () => {
      const dep = 'dep-support-kind';
      const support = makeAppeal({
        id: 'support-kind-0001',
        departmentId: dep,
        kind: 'support',
        status: 'registered',
        number: 'ПД-2026-000001',
        createdAt: T0 + 2,
      });
      const appeal = makeAppeal({ id: 'support-kind-0002', departmentId: dep, status: 'registered', createdAt: T0 + 1 });
      await s().appeals.create(support);
      await s().appeals.create(appeal);
      expect(await s().appeals.get(support.id)).toMatchObject(support);
      expect((await s().appeals.get(appeal.id))?.kind).toBe('appeal');
      const patched = await s().appeals.update(support.id, support.version, { subject: 'Вопрос о входе' });
      expect(patched).toMatchObject({ kind: 'support', subject: 'Вопрос о входе' });
      const page = (kind?: 'appeal' | 'support') => s().appeals.list({ departmentId: dep, ...(kind ? { kind } : {}), sort: 'created', limit: 10, offset: 0 });
      expect((await page('support')).items.map((a) => a.id)).toEqual([support.id]);
      expect((await page('appeal')).items.map((a) => a.id)).toEqual([appeal.id]);
      expect((await page()).total).toBe(2);
      expect((await s().appeals.getByNumber('ПД-2026-000001'))?.id).toBe(support.id);
    });
  });
}
