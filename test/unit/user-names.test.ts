/**
 * UserNames on a real SQLite store: one users read per person per minute,
 * and `cached` answers without a promise only while the name is fresh.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UserNames } from '../../server/domain/chat/user-names.js';
import { ManualClock } from '../../server/lib/clock.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { makeUser } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const dir = tempDirs('user-names-');
let store: Store | null = null;

afterEach(async () => {
  await store?.close();
  store = null;
});

describe('UserNames', () => {
  it('reads a name once, answers `cached` while it is fresh, and reads again after a minute', async () => {
    store = await openSqliteStore({ dataDir: await dir() });
    const user = makeUser({ fullName: 'Петрова Анна Сергеевна' });
    await store.users.create(user);
    const clock = new ManualClock();
    const names = new UserNames(store, clock);
    expect(names.cached(user.id)).toBeUndefined();
    expect(await names.nameOf(user.id)).toBe('Петрова Анна Сергеевна');
    expect(names.cached(user.id)).toBe('Петрова Анна Сергеевна');
    // A rename shows once the cached name has expired.
    await store.users.update(user.id, { fullName: 'Петрова-Смирнова Анна Сергеевна' });
    expect(names.cached(user.id)).toBe('Петрова Анна Сергеевна');
    clock.advance(60_001);
    expect(names.cached(user.id)).toBeUndefined();
    expect(await names.nameOf(user.id)).toBe('Петрова-Смирнова Анна Сергеевна');
    expect(await names.nameOf('no-such-user')).toBe('');
    expect(names.cached('no-such-user')).toBe('');
  });
});
