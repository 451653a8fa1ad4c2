import { useAPQ } from '@graphql-yoga/plugin-apq';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { Config, Logger, RedisLayer } from '@polystore/common';
import { createPersistedQueryStore } from './redis-store.js';

/**
 * Persisted queries in Redis (GATEWAY_PERSISTED_QUERIES), shared by every
 * replica. `apq`: automatic persisted queries, a client sends an operation's
 * hash and sends its text once when the gateway does not know it yet (less to
 * upload, GET-cacheable). `allow-list`: only operations registered beforehand
 * (`npm run persist -- <manifest.json>`) run; any other text or hash is refused.
 */
export function usePersistedQueries({
  mode,
  ttlSeconds,
  redis,
  log,
}: Config['gateway']['persistedQueries'] & { redis: RedisLayer; log: Logger }): GatewayPlugin {
  if (!redis.client) {
    if (mode === 'allow-list') throw new Error('GATEWAY_PERSISTED_QUERIES=allow-list needs Redis (REDIS_URL)');
    return useAPQ() as GatewayPlugin; // this process only
  }
  const store = createPersistedQueryStore(redis.client, redis.keyPrefix, ttlSeconds, log);
  if (mode === 'apq') return useAPQ({ store }) as GatewayPlugin;
  return usePersistedOperations({
    getPersistedOperation: (hash) => store.get(hash),
    allowArbitraryOperations: false,
  }) as GatewayPlugin;
}
