import { globEscape, redisKeys, scanKeys, unlinkScanned, type RedisClient } from '@polystore/common';
import { PERSISTED_QUERY_NAMESPACE } from '@polystore/gateway/operations';
import type { SetReader } from './set-reader.js';

/** Redis state the set would replace: registered operations or dead letters under the prefix. */
export async function redisStatePresent(redis: RedisClient, keyPrefix: string): Promise<boolean> {
  if ((await redis.exists(redisKeys(keyPrefix).deadLetters)) > 0) return true;
  for await (const _page of scanKeys(redis, `${globEscape(`${keyPrefix}${PERSISTED_QUERY_NAMESPACE}`)}*`)) return true;
  return false;
}

/**
 * Removes every key of the product (all under REDIS_KEY_PREFIX): the caches,
 * which would outlive the restore with answers of the old data; the event
 * stream and its consumer groups, whose positions mean nothing to restored
 * stores (the groups are created again at the stream's start, and the relay
 * sends the replay window again); rate-limit counters and nonces. On a
 * cluster, on every master.
 */
export async function flushProductKeys(redis: RedisClient, keyPrefix: string): Promise<number> {
  let removed = 0;
  for await (const page of scanKeys(redis, `${globEscape(keyPrefix)}*`)) removed += await unlinkScanned(page);
  return removed;
}

/** The registered operations (with the time they had left) and the dead letters (with their ids) back in Redis. */
export async function restoreRedis(redis: RedisClient, keyPrefix: string, set: SetReader): Promise<void> {
  const namespace = `${keyPrefix}${PERSISTED_QUERY_NAMESPACE}`;
  for await (const line of set.lines('redis/persisted-queries.jsonl')) {
    const { hash, query, ttlMs } = JSON.parse(line) as { hash: string; query: string; ttlMs: number | null };
    if (ttlMs === null) await redis.set(`${namespace}${hash}`, query);
    else await redis.set(`${namespace}${hash}`, query, 'PX', ttlMs);
  }
  for await (const line of set.lines('redis/dead-letters.jsonl')) {
    const { id, fields } = JSON.parse(line) as { id: string; fields: Record<string, string> };
    await redis.xadd(redisKeys(keyPrefix).deadLetters, id, ...Object.entries(fields).flat());
  }
}
