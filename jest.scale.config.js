// `npm run test:scale`: the scale proof (test/scale/**/*.scale-spec.ts): three API and three bridge
// processes on a private PostgreSQL, hundreds of integrations, steady load and a chaos loop of
// SIGKILLs. One file at a time: a run uses the whole machine. Not part of `npm test` nor of
// `npm run test:faults` (their testMatch differs). Same transform as jest.config.js.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  rootDir: '.',
  displayName: 'scale',
  testMatch: ['<rootDir>/test/scale/**/*.scale-spec.ts'],
  maxWorkers: 1,
  testTimeout: 900_000,
  slowTestThreshold: 300,
};
