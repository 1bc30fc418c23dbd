/**
 * Child-process script for test/hostile/memory.hostile.test.ts: hashes passwords
 * the way logins and the demo seed do (8 at a time, 3 rounds), collects the
 * garbage and prints how much the process's RSS grew, in MB, as JSON.
 */
import { hashPassword } from '../../server/domain/accounts/password.js';

const before = process.memoryUsage().rss;
for (let round = 0; round < 3; round++) {
  await Promise.all(Array.from({ length: 8 }, (_, i) => hashPassword(`password-${round}-${i}`)));
}
(globalThis as { gc?: () => void }).gc?.();
console.log(JSON.stringify({ grewMb: (process.memoryUsage().rss - before) / 1024 / 1024 }));
