import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { Redis } from 'ioredis';
import type { Logger } from '@polystore/common';

/**
 * Cached responses in Redis, shared by every gateway replica: each response
 * under `<prefix>response:<id>`, and for each entity it contains a set
 * `<prefix>entity:<Type>:<id>` of the responses to drop when that entity
 * changes. Sets expire with the longest-lived response in them, so nothing
 * grows without bound. Never throws: with Redis away, reads miss and writes
 * and invalidations are skipped (logged), and the subgraphs answer.
 *
 * (`@envelop/response-cache-redis` keeps one set per type that never
 * expires and writes keys without a prefix; hence this store.)
 */
export function createRedisResponseStore(redis: Redis, prefix: string, log: Logger): Cache {
  const responseKey = (id: string) => `${prefix}response:${id}`;
  const entityKey = ({ typename, id }: CacheEntityRecord) => `${prefix}entity:${typename}:${String(id)}`;
  const quietly = async <T>(what: string, work: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      log.debug({ err }, `response cache ${what} skipped: Redis unavailable`);
      return fallback;
    }
  };

  return {
    async get(id) {
      const raw = await quietly('read', () => redis.get(responseKey(id)), null);
      return raw === null ? undefined : (JSON.parse(raw) as ExecutionResult);
    },

    async set(id, data, entities, ttl) {
      if (!Number.isFinite(ttl) || ttl <= 0) return;
      const multi = redis.multi().set(responseKey(id), JSON.stringify(data), 'PX', ttl);
      for (const entity of entities) {
        if (entity.id === undefined) continue;
        const key = entityKey(entity);
        // A new set gets this response's lifetime; an existing one only ever lengthens (Redis 7).
        multi.sadd(key, id).pexpire(key, ttl, 'NX').pexpire(key, ttl, 'GT');
      }
      await quietly('write', () => multi.exec(), null);
    },

    async invalidate(entities) {
      const keys = [...entities].filter((entity) => entity.id !== undefined).map(entityKey);
      if (keys.length === 0) return;
      await quietly(
        'invalidation',
        async () => {
          const responses = await Promise.all(keys.map((key) => redis.smembers(key)));
          const stale = [...new Set(responses.flat())].map(responseKey);
          await redis.del(...keys, ...stale);
        },
        undefined,
      );
    },
  };
}
