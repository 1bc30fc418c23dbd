/**
 * The environment `npm start` sets for glibc (README, "Memory"): without a
 * fixed mmap threshold, the 19 MB buffers of password hashes stay in malloc's
 * heaps after they are freed, and the server's RSS grows by tens of MB with
 * its first logins. The RSS itself is measured in the hostile suite
 * (test/hostile/memory.hostile.test.ts), away from the timed normal suite.
 */
import { describe, expect, it } from 'vitest';
import { scriptEnv } from '../helpers/process.js';

describe('memory of password hashing', () => {
  it("npm start and npm run dev fix glibc's mmap threshold", () => {
    expect(scriptEnv('start')).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(scriptEnv('dev')).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
  });
});
