/** A part that the run requires (CASEROOM_REQUIRE_PARTS, set by .ci/run) fails the run when missing, instead of skipping. */
import { afterEach, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '../helpers/parts.js';

const saved = process.env.CASEROOM_REQUIRE_PARTS;
afterEach(() => {
  if (saved === undefined) delete process.env.CASEROOM_REQUIRE_PARTS;
  else process.env.CASEROOM_REQUIRE_PARTS = saved;
});

describe('skipUnlessPresent', () => {
  it('passes the skip reason through when the part is not required', () => {
    process.env.CASEROOM_REQUIRE_PARTS = 'chromium';
    expect(skipUnlessPresent('redis-server', 'not installed')).toBe('not installed');
    expect(skipUnlessPresent('chromium', null)).toBeNull();
  });

  it('throws, naming the part and the reason, when a required part is missing', () => {
    process.env.CASEROOM_REQUIRE_PARTS = 'chromium, redis-server';
    expect(() => skipUnlessPresent('redis-server', 'redis-server is not installed')).toThrow(/redis-server is required .* redis-server is not installed/);
  });
});
