/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // ts-jest (https://kulshekhar.github.io/ts-jest/docs/getting-started/options/isolatedModules),
    // transpiling each file on its own: tsconfig.json sets `isolatedModules`, so ts-jest uses
    // TypeScript's transpileModule and type-checks nothing. Type-checking runs once, in `npm test`'s
    // `tsc --noEmit`, which also enforces what isolated transpilation needs.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  testTimeout: 120000,
  // Jest's default is one worker fewer than the cores, i.e. one on a 2-core machine; the parent
  // process only waits, so use both cores.
  maxWorkers: 2,
};
