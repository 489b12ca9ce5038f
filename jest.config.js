/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types without checking them; `npm test` type-checks separately with tsc, so the
  // megabyte of generated imports is not re-checked by every test file.
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // The CEL evaluator ships as ES modules only.
  transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  cacheDirectory: '<rootDir>/.jest-cache',
};
