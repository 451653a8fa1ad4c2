/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.base.json' }],
  },
  testMatch: ['<rootDir>/**/test/**/*.test.ts'],
  // test/system: `npm run test:system`, run once on a machine to itself (CPU measurements, the federation audit).
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/test/system/'],
  // Stores start per test file; the slowest (embedded PostgreSQL) takes a few seconds.
  testTimeout: 60_000,
};
