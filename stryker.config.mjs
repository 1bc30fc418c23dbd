// Mutation testing of the security-critical modules (`npm run test:mutation`,
// not part of `npm test`): who may see and write in a room, the chat service,
// the upload route, the socket auth middleware, the transition path and the
// awareness guard. Each surviving mutant is a rule no test would defend.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // `related` is off: vitest.mutation.config.ts lists the tests already, and
  // per-test coverage picks the ones each mutant needs.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: [
    'server/domain/appeals/appeal.policy.ts',
    'server/domain/rooms/room-access.ts',
    'server/domain/chat/chat.service.ts',
    'server/transport/http/attachment.routes.ts',
    'server/transport/realtime/auth.middleware.ts',
    // The transition path: transition and transitionRecord (76-103), apply and
    // commit (250-288). A mutant is kept only when it lies wholly inside a
    // range: check the lines when the file changes. `--mutate` on the command
    // line replaces this list, so name the ranges there too.
    'server/domain/appeals/appeal.service.ts:76-89',
    'server/domain/appeals/appeal.service.ts:236-271',
    'shared/status-machine.ts',
    'server/transport/collab/awareness-guard.ts',
  ],
  concurrency: 2,
  // Added to 1.5 × a mutant's normal test time; a mutant that hangs a test (a
  // loop that never ends, a request never answered) counts as detected.
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // The run fails (exit code 1) when the total score falls below 90 %.
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
