/**
 * Outside parts some tests need (the Debian Chromium, redis-server, a
 * MongoDB-wire server). Where one is missing, its tests report themselves
 * skipped with the reason — except where the run says the part must be there:
 * `.ci/run` installs the parts and lists them in CASEROOM_REQUIRE_PARTS
 * (comma-separated), and then a missing one fails the run instead of passing
 * quietly.
 */

/** A part `.ci/run` installs. */
export type Part = 'chromium' | 'redis-server' | 'mongodb';

function required(): Set<string> {
  return new Set(
    (process.env.CASEROOM_REQUIRE_PARTS ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  );
}

/**
 * The skip reason for a part, or null when it is there. Throws when the part
 * is missing although this run requires it.
 */
export function skipUnlessPresent(part: Part, reason: string | null): string | null {
  if (reason !== null && required().has(part)) {
    throw new Error(`${part} is required in this run (CASEROOM_REQUIRE_PARTS) but missing: ${reason}`);
  }
  return reason;
}
