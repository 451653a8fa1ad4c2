import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { CacheFence, redisKeys } from '@polystore/common';
import type { PluginContext } from '../plugin-context.js';
import { startInvalidationConsumer } from './invalidation-consumer.js';
import { useResponseCacheMetrics } from './metrics.js';
import { useCachedResponses } from './plugin.js';
import { useReadYourWrites } from './read-your-writes.js';
import { responseCacheKeys } from './keys.js';
import { createRedisResponseStore } from './redis-store.js';

/**
 * Lifetimes shorter than the default for types that change often or carry
 * per-request values (presigned asset URLs), in seconds; the longest a
 * response lives is the shortest lifetime of the types in it.
 */
const TTL_SECONDS_PER_TYPE: Record<string, number> = { Order: 10, Review: 30, Asset: 60 };

/**
 * Whole responses cached in Redis (GATEWAY_RESPONSE_CACHE), shared by every
 * replica and keyed by the served supergraph, operation, variables and the
 * caller's identity (the Authorization header), so private fields never reach
 * another caller. The planner always gets the client's own operation
 * (`plugin.ts`); events from other writers invalidate through the gateway's
 * consumer group (`invalidation-consumer.ts`). Off, or without Redis, it is absent.
 *
 * A group of three plugins, in this order, kept together because they share one
 * store (its connection, fence and pending invalidations): made here, it has one
 * home; split into the list, the list would have to make it. The metrics come
 * first: a hit ends the request in the cache plugin's `onParams`, before later
 * plugins see its params.
 */
export function useResponseCache({ config, log, teardown, redis, metrics }: PluginContext): GatewayPlugin[] {
  const { enabled, ttlSeconds } = config.gateway.responseCache;
  if (!enabled) return [];
  if (!redis.client) {
    log.warn('GATEWAY_RESPONSE_CACHE needs Redis (REDIS_URL): responses are not cached');
    return [];
  }
  // One hash tag: the store's scripts touch answers, sets and stamps together.
  const prefix = redisKeys(redis.keyPrefix).responseCache;
  const cache = createRedisResponseStore(redis.client, prefix, log, {
    // Longer than any execution can last: a subgraph that does not answer in time is given up on.
    rememberInvalidationsMs: config.gateway.upstreamTimeoutMs + 60_000,
    // No answer an outage made stale is served once Redis is back.
    fence: new CacheFence(redis.client, responseCacheKeys(prefix).response(''), log),
  });
  startInvalidationConsumer(cache, { events: redis.events, log, teardown, retryAfterMs: config.events.retryAfterMs });

  const cached = useCachedResponses({
    cache,
    ttlMs: ttlSeconds * 1000,
    ttlMsPerType: Object.fromEntries(
      Object.entries(TTL_SECONDS_PER_TYPE).map(([type, seconds]) => [type, Math.min(seconds, ttlSeconds) * 1000]),
    ),
  });
  return [useResponseCacheMetrics(metrics, config), cached, useReadYourWrites(cache)];
}
