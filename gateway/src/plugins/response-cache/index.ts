import { CacheFence, redisKeys, type Config, type Logger, type RedisLayer } from '@polystore/common';
import { responseCacheKeys } from './keys.js';
import { hashLabels, type HashLabels } from './metrics.js';
import { createRedisResponseStore, type RedisResponseStore } from './redis-store.js';
import { admissionSettings, type IdScope } from './response-id.js';

export { hitsBeforeRuntime } from './hits-before-runtime.js';
export { startInvalidationConsumer } from './invalidation-consumer.js';
export { useResponseCacheMetrics } from './metrics.js';
export { useCachedResponses } from './plugin.js';
export { useReadYourWrites } from './read-your-writes.js';
export type { RedisResponseStore } from './redis-store.js';

/**
 * The response store, the scope of its ids (the served supergraph, the
 * admission settings), and the metric labels of persisted operations by hash.
 */
export interface ResponseCache {
  store: RedisResponseStore;
  scope: IdScope;
  labels: HashLabels;
}

/**
 * Lifetimes shorter than the default for types that change often or carry
 * per-request values (presigned asset URLs), in seconds; the longest a
 * response lives is the shortest lifetime of the types in it.
 */
const TTL_SECONDS_PER_TYPE: Record<string, number> = { Order: 10, Review: 30, Asset: 60 };

/**
 * The store of whole responses (GATEWAY_RESPONSE_CACHE) in Redis, shared by
 * every replica; undefined when the cache is off or there is no Redis. Made
 * once per gateway (`server.ts`) and given to the three plugins that use it
 * (`useResponseCacheMetrics`, `useCachedResponses`, `useReadYourWrites`), to
 * the early answer of hits (`hitsBeforeRuntime`) and to the consumer group
 * that invalidates it on other writers' events (`startInvalidationConsumer`).
 */
export function openResponseCache({
  config,
  log,
  redis,
}: {
  config: Config;
  log: Logger;
  redis: RedisLayer;
}): ResponseCache | undefined {
  if (!config.gateway.responseCache.enabled) return undefined;
  if (!redis.client) {
    log.warn('GATEWAY_RESPONSE_CACHE needs Redis (REDIS_URL): responses are not cached');
    return undefined;
  }
  // One hash tag: the store's scripts touch answers, sets and stamps together.
  const prefix = redisKeys(redis.keyPrefix).responseCache;
  const store = createRedisResponseStore(redis.client, prefix, log, {
    // Longer than any execution can last: a subgraph that does not answer in time is given up on.
    rememberInvalidationsMs: config.gateway.upstreamTimeoutMs + 60_000,
    // No answer an outage made stale is served once Redis is back.
    fence: new CacheFence(redis.client, responseCacheKeys(prefix).response(''), log),
  });
  return { store, scope: { settings: admissionSettings(config) }, labels: hashLabels() };
}

/** How long answers live (GATEWAY_RESPONSE_CACHE_TTL_SECONDS, shorter for some types), for `useCachedResponses`. */
export function responseLifetimes(config: Config): { ttlMs: number; ttlMsPerType: Record<string, number> } {
  const { ttlSeconds } = config.gateway.responseCache;
  return {
    ttlMs: ttlSeconds * 1000,
    ttlMsPerType: Object.fromEntries(
      Object.entries(TTL_SECONDS_PER_TYPE).map(([type, seconds]) => [type, Math.min(seconds, ttlSeconds) * 1000]),
    ),
  };
}
