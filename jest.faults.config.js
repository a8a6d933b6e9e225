// `npm run test:faults`: the fault and concurrency suite (test/faults/**/*.fault-spec.ts). Each
// file spawns the built server as child processes on a private PostgreSQL of its own, so the files
// are independent; two at a time keeps a 2-core machine responsive. Not part of `npm test` (its
// testMatch is *.spec.ts / *.e2e-spec.ts). Same transform as jest.config.js.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  rootDir: '.',
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  maxWorkers: 2,
  testTimeout: 120_000,
  slowTestThreshold: 60,
};
