// Mutation testing of the security-critical modules (`npm run test:mutation`,
// not part of `npm test`): who may see and write in a room, the chat service,
// the upload route, the socket auth middleware, the transition path and the
// awareness guard. Each surviving mutant is a rule no test would defend.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'server/domain/appeals/appeal.policy.ts',
    'server/domain/rooms/room-access.ts',
    'server/domain/chat/chat.service.ts',
    'server/transport/http/attachment.routes.ts',
    'server/transport/realtime/auth.middleware.ts',
    // The transition path: transition, transitionRecord, apply, commit.
    'server/domain/appeals/appeal.service.ts:76-101',
    'server/domain/appeals/appeal.service.ts:249-288',
    'shared/status-machine.ts',
    'server/transport/collab/awareness-guard.ts',
  ],
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
