/**
 * Test helpers of the foundation, for its own tests and re-exported by
 * `@polystore/testing` (which builds on this package, so the foundation's tests
 * cannot import it): the lifetimes of what a test starts (fixture stacks, what a
 * file shares), a key prefix with its ACL users on the test Redis, private
 * servers for fault tests, raw HTTP requests, and the GraphQLError a call throws.
 */
export * from './lifetimes.js';
export * from './redis.js';
export * from './private-servers.js';
export * from './graphql-errors.js';
export * from './raw-request.js';
