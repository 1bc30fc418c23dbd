/** The port's bound on a `process` write's time off the disk matches what the SQLite adapter does. */
import { describe, expect, it } from 'vitest';
import { LATE_SYNC_MS } from '../../server/store/sqlite/group-commit.js';
import { DRAIN_MS } from '../../server/store/sqlite/staging-log.js';
import { PROCESS_DURABILITY_BOUND_MS } from '../../server/store/store.js';

describe('durability levels', () => {
  it('a process write of SQLite reaches the disk within the bound the port states (staging drain + late sync)', () => {
    expect(PROCESS_DURABILITY_BOUND_MS).toBe(DRAIN_MS + LATE_SYNC_MS);
  });
});
