import type { CacheSettings } from '../loaders/cache-settings.js';
import type { ServiceMetrics } from '../server/metrics.js';
import type { ServiceContext } from '../server/run.js';
import { redisConnection } from './client.js';
import { connectRedisLayer, type RedisLayer } from './connect.js';
import { redisKeys } from './keys.js';

/**
 * Connects a service to Redis (or the in-process fallback) and returns its
 * cache settings. Each service caches under its own namespace so two
 * services never read each other's shape of the same type.
 */
export async function connectServiceCache(
  { config, log, teardown }: ServiceContext,
  namespace: string,
  metrics?: ServiceMetrics,
): Promise<{ redis: RedisLayer; cache: CacheSettings }> {
  const redis = await connectRedisLayer({ ...redisConnection(config), log, teardown });
  const keyPrefix = redisKeys(redis.keyPrefix).namespace(namespace);
  return {
    redis,
    cache: {
      cache: redis.entityCache(keyPrefix),
      keyPrefix,
      ttlSeconds: config.redis.cacheTtlSeconds,
      lookups: metrics?.counter(
        'entity_cache_lookups_total',
        'Entities read through the Redis cache behind the DataLoaders, by type and outcome',
        ['type', 'result'],
      ),
    },
  };
}
