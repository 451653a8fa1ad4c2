import { connectRedisLayer, type EventMap, type RedisLayer } from '../redis/connect.js';
import type { EntityCache } from '../redis/cache.js';
import type { ServiceContext } from '../server/run.js';

/** What a service's loaders and writers need to read, fill and invalidate the shared cache. */
export interface CacheSettings {
  cache: EntityCache;
  /** Deployment prefix plus the service's namespace, for example `polystore:sql:`. */
  keyPrefix: string;
  ttlSeconds: number;
}

/**
 * Connects a service to Redis (or the in-process fallback) and returns its
 * cache settings. Each service caches under its own namespace so two
 * services never read each other's shape of the same type.
 */
export async function connectServiceCache<Events extends EventMap = EventMap>(
  { config, log, teardown }: ServiceContext,
  namespace: string,
): Promise<{ redis: RedisLayer<Events>; cache: CacheSettings }> {
  const redis = await connectRedisLayer<Events>({
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    log,
    teardown,
  });
  return {
    redis,
    cache: {
      cache: redis.cache,
      keyPrefix: `${redis.keyPrefix}${namespace}:`,
      ttlSeconds: config.redis.cacheTtlSeconds,
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
