import base from './jest.config.js';

/** `npm run test:unit`: only the unit tests (`*.unit.test.ts`), which need no server. */
export default { ...base, testMatch: ['<rootDir>/**/test/**/*.unit.test.ts'] };
