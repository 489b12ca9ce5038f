/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // A user's project, copied out and run there by test/consumer.test.ts.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/fixtures/'],
  // Transpile only (see tsconfig.jest.json); `npm test` type-checks separately with tsc.
  // Nothing under node_modules is transformed, as in a user's project: the CEL evaluator is
  // loaded from the CommonJS copy the build writes (src/analysis/cel-runtime.ts).
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
  },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  cacheDirectory: '<rootDir>/.jest-cache',
};
