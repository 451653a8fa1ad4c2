import type { RedisClient } from '../redis/client.js';
import { redisKeys } from '../redis/keys.js';
import { codedError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** Where a subgraph remembers the nonces of the signed mutations it ran, for as long as their signature is valid. */
export interface NonceStore {
  /** True the first time `nonce` is seen within `ttlMs`; false for a replay. */
  claim(nonce: string, ttlMs: number): Promise<boolean>;
}

export interface NonceStoreOptions {
  /** The service's Redis command connection (`RedisLayer.client`); absent: this process only. */
  redis?: RedisClient;
  /** The deployment's key prefix (REDIS_KEY_PREFIX): every service and replica shares one set of nonces. */
  keyPrefix?: string;
  log: Logger;
  /** How many nonces this process holds. Default 100,000 (a few MB). */
  maxEntries?: number;
}

/**
 * Nonces recorded with `SET key 1 NX PX ttl` in Redis when the service has one,
 * so every replica refuses a mutation another replica already ran, and always in
 * a bounded map in this process. While Redis cannot answer, the map alone
 * decides (a replay to another replica then goes unnoticed; logged). Without
 * Redis a full map of unexpired nonces refuses new mutations with
 * SERVICE_UNAVAILABLE rather than forget one; with Redis the oldest is dropped
 * (Redis still holds it).
 */
export function createNonceStore({ redis, keyPrefix = '', log, maxEntries = 100_000 }: NonceStoreOptions): NonceStore {
  // Insertion order is expiry order: every nonce lives for about the same window.
  const seen = new Map<string, number>();
  const keys = redisKeys(keyPrefix);
  let lastWarning = 0;

  const forgetExpired = (now: number) => {
    for (const [nonce, expiresAt] of seen) {
      if (expiresAt > now) break;
      seen.delete(nonce);
    }
  };

  return {
    async claim(nonce, ttlMs) {
      const now = Date.now();
      forgetExpired(now);
      if (seen.has(nonce)) return false;
      if (seen.size >= maxEntries) {
        if (!redis) throw codedError(ErrorCode.ServiceUnavailable, 'too many mutations within the signature window');
        seen.delete(seen.keys().next().value!);
      }
      seen.set(nonce, now + ttlMs);
      if (!redis) return true;
      try {
        return (await redis.set(keys.nonce(nonce), '1', 'PX', ttlMs, 'NX')) === 'OK';
      } catch (err) {
        if (now - lastWarning > 10_000) {
          lastWarning = now;
          log.warn({ err }, 'mutation nonces checked in this process only: Redis unavailable');
        }
        return true;
      }
    },
  };
}
