import { useAPQ } from '@graphql-yoga/plugin-apq';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { PluginContext } from '../index.js';
import { createPersistedQueryStore } from './redis-store.js';

/**
 * Persisted queries in Redis (GATEWAY_PERSISTED_QUERIES), shared by every
 * replica. `apq`: automatic persisted queries, a client sends an operation's
 * hash and sends its text once when the gateway does not know it yet (less to
 * upload, GET-cacheable). `allow-list`: only operations registered beforehand
 * (`npm run persist -- <manifest.json>`) run; any other text or hash is refused.
 */
export function persistedQueries({ config, log, redis }: PluginContext) {
  const { mode, ttlSeconds } = config.gateway.persistedQueries;
  if (!redis.client) {
    if (mode === 'allow-list') throw new Error('GATEWAY_PERSISTED_QUERIES=allow-list needs Redis (REDIS_URL)');
    return useAPQ(); // this process only
  }
  const store = createPersistedQueryStore(redis.client, redis.keyPrefix, ttlSeconds, log);
  if (mode === 'apq') return useAPQ({ store });
  return usePersistedOperations({ getPersistedOperation: (hash) => store.get(hash), allowArbitraryOperations: false });
}
