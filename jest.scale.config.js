// `npm run test:scale`: the scale proof (test/scale/**/*.scale-spec.ts): three API and three bridge
// processes on a private PostgreSQL, hundreds of integrations, steady load and a chaos loop of
// SIGKILLs. One file at a time: a run uses the whole machine. Not part of `npm test` nor of
// `npm run test:faults` (their testMatch differs). The fault suite's transform and settings.
import faults from './jest.faults.config.js';

export default {
  ...faults,
  displayName: 'scale',
  testMatch: ['<rootDir>/test/scale/**/*.scale-spec.ts'],
  maxWorkers: 1,
  testTimeout: 900_000,
  slowTestThreshold: 300,
};
