// Vitest as StrykerJS runs it (`npm run test:mutation`): only the fast unit
// tests that exercise the mutated modules, in one Node project, so that Stryker
// can map each mutant to the tests that cover it (coverageAnalysis: perTest).
// Integration tests are left out on purpose: each boots a whole server in
// beforeAll, which made one mutant cost ~15 s (hours for the whole list); the
// focused unit tests below use the real parts (SQLite in a temp dir, a real
// socket.io server and Express app on 127.0.0.1:0) and the whole run takes
// about six minutes. A test listed here must not depend on timing: a failure
// in Stryker's first run stops it. Add a test file here when it defends one of
// the mutated modules.
import { defineConfig } from 'vitest/config';

const repoRoot = import.meta.dirname;

export default defineConfig({
  test: {
    root: repoRoot,
    include: [
      'test/unit/appeal-policy.test.ts',
      'test/unit/room-access.test.ts',
      'test/unit/chat-service.test.ts',
      'test/unit/auth-middleware.test.ts',
      'test/unit/transition-path.test.ts',
      'test/unit/transition-known.test.ts',
      'test/unit/status-machine.test.ts',
      'test/unit/grant-cache.test.ts',
      'test/unit/awareness-guard.test.ts',
      'test/unit/attachment-routes.test.ts',
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { TZ: 'UTC' },
    pool: 'forks',
  },
});
