/**
 * Hostile suite, area 'memory': the RSS a burst of password hashes leaves
 * behind (README, "Memory"). 24 argon2id hashes (19 MB each, 8 at a time) in a
 * child process with `npm start`'s environment must leave the RSS within
 * 40 MB of where it was; without the fixed mmap threshold it grew 77–82 MB on
 * the development machine. That run is measured too and reported, not judged
 * (it depends on the C library).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, scriptEnv } from '../helpers/process.js';
import { report } from './report.js';

const run = promisify(execFile);
const LIMIT_MB = 40;

/** How much the RSS of a child hashing 24 passwords grew, in MB, with `env` over this process's environment minus `unset`. */
async function hashGrowthMb(env: Record<string, string>, unset: string[] = []): Promise<number> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.includes(name)));
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/helpers/hash-memory.ts'], {
    cwd: ROOT,
    env: { ...base, ...env },
    timeout: 60_000,
  });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { grewMb: number }).grewMb;
}

describe('memory of password hashing', () => {
  it(`with npm start's environment, 24 hashes leave the RSS within ${LIMIT_MB} MB of where it was`, async () => {
    const withStartEnv = await hashGrowthMb(scriptEnv('start'));
    const without = await hashGrowthMb({}, Object.keys(scriptEnv('start')));
    report('memory', {
      hashes: 24,
      rssGrowthMbWithStartEnv: Math.round(withStartEnv * 10) / 10,
      rssGrowthMbWithout: Math.round(without * 10) / 10,
      limitMb: LIMIT_MB,
    });
    expect(withStartEnv).toBeLessThan(LIMIT_MB);
  }, 120_000);
});
