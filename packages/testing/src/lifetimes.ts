/**
 * The lifetimes of what a test starts, from the foundation's helpers (its own
 * tests use them too): a fixture stack, a test bed started from fixtures, and
 * what a whole test file shares between beforeAll and afterAll.
 */
export {
  FixtureStack,
  servicesOfFile,
  startedOncePerFile,
  startWithFixtures,
  type Own,
} from '@polystore/common/testing';
