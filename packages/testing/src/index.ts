/**
 * Test helpers on the foundation: it imports `@polystore/common` and
 * `@polystore/embedded`, never a service or the gateway, so the tests of every
 * package may use it. This entry point is light (no store client): a service
 * context, startForTest, the lifetimes of fixtures and GraphQL requests. Heavier helpers have their own subpaths:
 *
 * - `@polystore/testing/stores`: testPostgres, testRedis, testMongo, testS3 and
 *   private servers for fault tests;
 * - `@polystore/testing/subscriptions`, `@polystore/testing/fuzz`.
 *
 * A subgraph's test bed is in its own `test/support/` (the sql-subgraph's is
 * `@polystore/sql-subgraph/testing`); the whole stack is in the root `test/support/`.
 */
export * from './service.js';
export * from './lifetimes.js';
export * from './graphql.js';
export * from './catalog.js';
export * from './entity-owner.js';
export * from './tokens.js';
export * from './eventually.js';
export * from './files.js';
export * from './metrics.js';
