/**
 * What every service shares, by concern. Each line names the module that is
 * the one home of its concept; import from here, read there.
 */

// The stack's shape: the subgraph registry and the configuration read once at start-up.
export * from './subgraphs.js';
export * from './config/config.js';
export { ConfigError, type Env } from './config/env.js';

// Running a service: logs (secrets redacted), teardown on SIGTERM, the subgraph server with /health and /ready,
// /metrics on a listener of its own, the headers every response carries.
export * from './logger.js';
export * from './log-redaction.js';
export * from './request-context.js';
export * from './teardown.js';
export * from './until-stopped.js';
export * from './server/run.js';
export * from './server/subgraph-server.js';
export * from './server/service-subgraph-server.js';
export * from './server/schema.js';
export * from './server/health.js';
export * from './server/listen.js';
export * from './server/metrics.js';
export * from './server/security-headers.js';
// What a running `npm start` publishes for the tools beside it.
export * from './stack-state.js';

// The API's conventions: error codes, ids, scalars, Relay pagination.
export * from './errors.js';
export * from './connection-errors.js';
export * from './ids.js';
export * from './scalars.js';
export * from './pagination.js';

// Redis: the entity cache (never throws), the durable event stream (consumer groups and live subscriptions).
export * from './redis/entity-cache.js';
export * from './redis/memory-cache.js';
export * from './redis/redis-cache.js';
export * from './redis/cache-fence.js';
export * from './redis/client.js';
export * from './redis/connect.js';
export * from './redis/service-cache.js';
export * from './redis/acl.js';
export * from './redis/event-stream.js';
export * from './redis/keys.js';
export * from './redis/slots.js';
export { filter, pipe } from '@graphql-yoga/subscription';

// Cached entities: per-request DataLoaders over Redis, and their one way to invalidate.
export * from './loaders/cache-settings.js';
export * from './loaders/cached-loader.js';

// Domain events: the contract (names, payloads, checks), typed consumers, event-to-cache invalidation.
export * from './events/contract.js';
export * from './events/consumer-group.js';
export * from './events/invalidations.js';
export * from './events/per-event.js';
export * from './events/live.js';
export * from './events/append.js';

// Identity: tokens (development and tests), the gateway's signature on subgraph requests (with mutation nonces), forwarded claims.
export * from './auth/tokens.js';
export * from './auth/signature.js';
export * from './auth/claims.js';
export * from './auth/viewer.js';
export * from './auth/nonces.js';
export * from './auth/operation-kind.js';

// References to entities another subgraph owns: asked of their owner, at once.
export * from './references.js';

// A client of our own API (seeding, benchmarks).
export * from './graphql-request.js';
