/**
 * Canned replies in the Store (canned.records.ts), declared inside the Store
 * contract (store.contract.ts) so that it runs on each adapter.
 */
import { describe, expect, it } from 'vitest';
import type { CannedReplyRecord, Store } from '../../server/store/store.js';
import { T0 } from '../helpers/factories.js';

const reply = (overrides: Partial<CannedReplyRecord> = {}): CannedReplyRecord => ({
  id: 'canned-0000000001',
  departmentId: 'dep-canned-1',
  title: 'Запрос документов',
  text: 'Здравствуйте, {имя}! Пришлите акт до {срок}.',
  updatedAt: T0,
  updatedBy: 'u-supervisor-1',
  updatedByName: 'Петрова Анна',
  ...overrides,
});

export function describeCannedReplies(s: () => Store): void {
  describe('canned replies', () => {
    it('puts, reads back, replaces, lists one department by title and deletes', async () => {
      const first = reply();
      await s().cannedReplies.put(first);
      expect(await s().cannedReplies.get(first.id)).toEqual(first);
      await s().cannedReplies.put(reply({ id: 'canned-0000000002', title: 'Ответ А' }));
      await s().cannedReplies.put(reply({ id: 'canned-0000000003', departmentId: 'dep-canned-2', title: 'Другой отдел' }));
      const edited = { ...first, title: 'Акт', text: 'Пришлите акт, {имя}.', updatedAt: T0 + 1 };
      await s().cannedReplies.put(edited);
      expect(await s().cannedReplies.get(first.id)).toEqual(edited);
      expect((await s().cannedReplies.list('dep-canned-1')).map((r) => r.title)).toEqual(['Акт', 'Ответ А']);
      expect(await s().cannedReplies.delete(first.id)).toBe(true);
      expect(await s().cannedReplies.delete(first.id)).toBe(false);
      expect(await s().cannedReplies.get(first.id)).toBeNull();
      expect((await s().cannedReplies.list('dep-canned-1')).map((r) => r.id)).toEqual(['canned-0000000002']);
    });
  });
}
