/**
 * Groups of linked appeals in the Store (group.records.ts), declared inside
 * the Store contract (store.contract.ts) so that it runs on each adapter: a
 * compare-and-set on the version, an appeal in one group at most, found from
 * any member.
 */
import { describe, expect, it } from 'vitest';
import type { AppealGroupRecord, Store } from '../../server/store/store.js';
import { T0 } from '../helpers/factories.js';

const group = (overrides: Partial<AppealGroupRecord> = {}): AppealGroupRecord => ({
  id: 'group-000000001',
  departmentId: 'dep-groups-1',
  appealIds: ['appeal-g-000001', 'appeal-g-000002'],
  createdAt: T0,
  createdBy: 'u-operator-1',
  version: 1,
  ...overrides,
});

export function describeAppealGroups(s: () => Store): void {
  describe('appeal groups', () => {
    it('inserts a group, finds it from each member, replaces it by version and refuses a stale version', async () => {
      const g = group();
      expect(await s().appealGroups.put(g, null)).toBe(true);
      expect(await s().appealGroups.put(g, null)).toBe(false);
      expect(await s().appealGroups.get(g.id)).toEqual(g);
      expect(await s().appealGroups.ofAppeal('appeal-g-000002')).toEqual(g);
      const grown = { ...g, appealIds: [...g.appealIds, 'appeal-g-000003'], version: 2 };
      expect(await s().appealGroups.put(grown, 1)).toBe(true);
      expect(await s().appealGroups.put({ ...grown, version: 3 }, 1)).toBe(false);
      expect(await s().appealGroups.ofAppeal('appeal-g-000003')).toEqual(grown);
      const shrunk = { ...grown, appealIds: ['appeal-g-000001', 'appeal-g-000003'], version: 3 };
      expect(await s().appealGroups.put(shrunk, 2)).toBe(true);
      expect(await s().appealGroups.ofAppeal('appeal-g-000002')).toBeNull();
      await s().appealGroups.delete(g.id);
      expect(await s().appealGroups.get(g.id)).toBeNull();
      expect(await s().appealGroups.ofAppeal('appeal-g-000001')).toBeNull();
    });

    it('refuses an appeal that another group holds, writing nothing', async () => {
      expect(await s().appealGroups.put(group({ id: 'group-000000010', appealIds: ['appeal-g-000010', 'appeal-g-000011'] }), null)).toBe(true);
      expect(await s().appealGroups.put(group({ id: 'group-000000011', appealIds: ['appeal-g-000012', 'appeal-g-000011'] }), null)).toBe(false);
      expect(await s().appealGroups.get('group-000000011')).toBeNull();
      expect(await s().appealGroups.ofAppeal('appeal-g-000012')).toBeNull();
      expect((await s().appealGroups.ofAppeal('appeal-g-000011'))?.id).toBe('group-000000010');
    });
  });
}
