/**
 * The environment `npm start` sets for glibc (README, "Memory"): without a
 * fixed mmap threshold, the 19 MB buffers of password hashes stay in malloc's
 * heaps after they are freed, and the server's RSS grows by tens of MB with
 * its first logins.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, scriptEnv } from '../helpers/process.js';

const run = promisify(execFile);

async function hashGrowthMb(env: Record<string, string>): Promise<number> {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/helpers/hash-memory.ts'], {
    cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000,
  });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { grewMb: number }).grewMb;
}

describe('memory of password hashing', () => {
  it('npm start fixes glibc\'s mmap threshold', () => {
    expect(scriptEnv('start')).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(scriptEnv('dev')).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
  });

  it('with npm start\'s environment, 24 hashes leave the RSS within a few MB of where it was', async () => {
    // Without it this grew by 77–82 MB on the development machine.
    const grew = await hashGrowthMb(scriptEnv('start'));
    expect(grew).toBeLessThan(40);
  }, 90_000);
});
