import base from './jest.config.js';

/** `npm run test:system`, first part: the system tests in `test/system`, one at a time (they measure CPU). */
export default {
  ...base,
  testMatch: ['<rootDir>/test/system/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
