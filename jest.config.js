// Jest runs in its native ESM mode (NestJS 12 is ESM-only): `npm test` passes
// --experimental-vm-modules. ts-jest transpiles each file on its own (isolatedModules in
// tsconfig.json); `npm test` type-checks the whole project with tsc first.
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

export default {
  projects: [
    { ...shared, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', rootDir: '.', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], slowTestThreshold: 30 },
  ],
  testTimeout: 30_000,
  // Embedded PGlite runs inside the test process: two workers use both cores of a 2-core machine
  // (about 3 min instead of 4). On PostgreSQL the server needs a core of its own: one worker.
  maxWorkers: process.env.TEST_DATABASE_URL ? 1 : 2,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  reporters: ['default', '<rootDir>/test/support/skipped-reporter.js'],
};
