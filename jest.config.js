/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Transpile only (see tsconfig.jest.json); `npm test` type-checks separately with tsc.
  transform: {
    '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
  },
  // The CEL evaluator ships as ES modules only.
  transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  cacheDirectory: '<rootDir>/.jest-cache',
};
