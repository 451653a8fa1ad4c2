/**
 * Test helpers, one home for all of them. This entry point is light (no store
 * client): a service context, startForTest and GraphQL requests. Heavier
 * helpers have their own subpaths:
 *
 * - `@polystore/testing/stores`: testPostgres, testRedis, testMongo, testS3 and
 *   private servers for fault tests;
 * - `@polystore/testing/stack`: the whole stack in this process;
 * - `@polystore/testing/sql-subgraph`: the sql-subgraph test bed.
 */
export * from './service.js';
export * from './graphql.js';
export * from './catalog.js';
export * from './entity-owner.js';
export * from './tokens.js';
export * from './eventually.js';
export * from './files.js';
