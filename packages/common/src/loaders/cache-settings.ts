import { connectRedisLayer, type EventMap, type RedisLayer } from '../redis/connect.js';
import type { EntityCache } from '../redis/cache.js';
import type { ServiceMetrics } from '../server/metrics.js';
import type { ServiceContext } from '../server/run.js';

/** What a service's loaders and writers need to read, fill and invalidate the shared cache. */
export interface CacheSettings {
  cache: EntityCache;
  /** Deployment prefix plus the service's namespace, for example `polystore:sql:`. */
  keyPrefix: string;
  ttlSeconds: number;
  /** Counts each entity read by type and outcome (`hit`, `miss`) on the service's `/metrics`; absent: not counted. */
  lookups?: EntityCacheLookups;
}

export interface EntityCacheLookups {
  inc(labels: { type: string; result: 'hit' | 'miss' }, value: number): void;
}

/**
 * Connects a service to Redis (or the in-process fallback) and returns its
 * cache settings. Each service caches under its own namespace so two
 * services never read each other's shape of the same type.
 */
export async function connectServiceCache<Events extends EventMap = EventMap>(
  { config, log, teardown }: ServiceContext,
  namespace: string,
  metrics?: ServiceMetrics,
): Promise<{ redis: RedisLayer<Events>; cache: CacheSettings }> {
  const redis = await connectRedisLayer<Events>({
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    log,
    teardown,
  });
  const keyPrefix = `${redis.keyPrefix}${namespace}:`;
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

/** A cache deserializer that turns the named ISO strings back into Dates. */
export function jsonWithDates<T>(...dateFields: (keyof T & string)[]): (raw: string) => T {
  return (raw) => {
    const value = JSON.parse(raw) as Record<string, unknown>;
    for (const field of dateFields) {
      if (typeof value[field] === 'string') value[field] = new Date(value[field]);
    }
    return value as T;
  };
}
