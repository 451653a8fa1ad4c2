import { createHash } from 'node:crypto';
import { redisKeys, type Logger, type RedisClient } from '@polystore/common';

/** The SHA-256 of an operation's text, in hex: its id as Apollo's APQ protocol and client presets compute it. */
export const operationHash = (query: string) => createHash('sha256').update(query).digest('hex');

/** Where registered operations live under the key prefix: `<prefix>gateway:pq:<sha256>` (backups copy them). */
export { PERSISTED_QUERY_NAMESPACE } from '@polystore/common';

export interface PersistedQueryStore {
  get(hash: string): Promise<string | null>;
  set(hash: string, query: string): Promise<void>;
}

/**
 * Registered operations in Redis (`<prefix>gateway:pq:<sha256>`), shared by
 * every gateway replica. A read that Redis cannot answer is a miss (APQ
 * clients then send the full text); a write that fails is skipped.
 */
export function createPersistedQueryStore(
  redis: RedisClient,
  keyPrefix: string,
  ttlSeconds: number,
  log: Logger,
): PersistedQueryStore {
  const namespace = redisKeys(keyPrefix).persistedQueries;
  const key = (hash: string) => namespace + hash;
  return {
    async get(hash) {
      try {
        return await redis.get(key(hash));
      } catch (err) {
        log.debug({ err }, 'persisted query read skipped: Redis unavailable');
        return null;
      }
    },
    async set(hash, query) {
      // The hash must name this text: a client cannot register one operation under another's id.
      if (operationHash(query) !== hash) return;
      try {
        if (ttlSeconds > 0) await redis.set(key(hash), query, 'EX', ttlSeconds);
        else await redis.set(key(hash), query);
      } catch (err) {
        log.debug({ err }, 'persisted query write skipped: Redis unavailable');
      }
    },
  };
}
