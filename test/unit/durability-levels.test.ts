/** The port's bound on a `process` write's time off the disk matches what the SQLite adapter does. */
import { describe, expect, it } from 'vitest';
import { LATE_SYNC_MS } from '../../server/store/sqlite/engine/group-commit.js';
import { PROCESS_DURABILITY_BOUND_MS } from '../../server/store/store.js';

describe('durability levels', () => {
  it('a process write of SQLite reaches the disk within the bound the port states (the late sync)', () => {
    expect(PROCESS_DURABILITY_BOUND_MS).toBe(LATE_SYNC_MS);
  });
});
