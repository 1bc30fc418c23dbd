// Vitest as StrykerJS runs it (`npm run test:mutation`): the server project's
// unit, contract and integration tests in one Node project, so that Stryker can
// map each mutant to the tests that cover it (coverageAnalysis: perTest).
import { defineConfig } from 'vitest/config';

const repoRoot = import.meta.dirname;

export default defineConfig({
  test: {
    root: repoRoot,
    include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { TZ: 'UTC' },
    pool: 'forks',
  },
});
