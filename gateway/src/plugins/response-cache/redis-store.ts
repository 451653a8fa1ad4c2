import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { Redis } from 'ioredis';
import type { Logger } from '@polystore/common';
import { createExecutionStarts } from './execution-starts.js';
import { INVALIDATE_SCRIPT, STORE_SCRIPT } from './scripts.js';

export interface RedisResponseStoreOptions {
  /**
   * How long an invalidation is remembered, in milliseconds: an answer whose
   * execution started before it is refused for that long. Must outlast the
   * slowest execution (GATEWAY_UPSTREAM_TIMEOUT_MS).
   */
  rememberInvalidationsMs: number;
}

/**
 * Cached responses in Redis, shared by every gateway replica: each response
 * under `<prefix>response:<id>`, and for each entity it contains a set
 * `<prefix>entity:<Type>:<id>` of the responses to drop when that entity
 * changes. Sets expire with the longest-lived response in them, so nothing
 * grows without bound. Never throws: with Redis away, reads miss and writes
 * and invalidations are skipped (logged), and the subgraphs answer.
 *
 * An answer is stored after it is sent, so an invalidation can overtake it.
 * Each invalidation therefore takes a number from a counter in Redis
 * (`<prefix>clock`) and stamps its entities with it
 * (`<prefix>invalidated:<Type>:<id>`); a lookup that misses reads the counter
 * (in the same round trip), and the answer is stored only if none of its
 * entities was stamped later. Both are Lua scripts, so no write slips between
 * the check and the store, or between listing an entity's responses and
 * deleting them.
 *
 * (`@envelop/response-cache-redis` keeps one set per type that never expires,
 * writes keys without a prefix, and has this race; hence this store.)
 */
export interface RedisResponseStore extends Cache {
  /** Resolves once every invalidation begun so far has reached Redis (the cache plugin does not await them). */
  invalidated(): Promise<void>;
}

export function createRedisResponseStore(
  redis: Redis,
  prefix: string,
  log: Logger,
  { rememberInvalidationsMs }: RedisResponseStoreOptions,
): RedisResponseStore {
  const clockKey = `${prefix}clock`;
  const responseKey = (id: string) => `${prefix}response:${id}`;
  const entityKeys = ({ typename, id }: CacheEntityRecord) => [
    `${prefix}entity:${typename}:${String(id)}`,
    `${prefix}invalidated:${typename}:${String(id)}`,
  ];
  const withId = (entities: Iterable<CacheEntityRecord>) => [...entities].filter((entity) => entity.id !== undefined);
  const starts = createExecutionStarts(rememberInvalidationsMs);
  const invalidating = new Set<Promise<unknown>>();
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
      const read = await quietly('read', () => redis.mget(responseKey(id), clockKey), undefined);
      if (!read) return undefined;
      const [raw, clock] = read;
      if (raw) return JSON.parse(raw) as ExecutionResult;
      // A miss: the answer about to be computed is older than any invalidation from now on.
      starts.begin(id, Number(clock ?? 0));
      return undefined;
    },

    async set(id, data, entities, ttl) {
      const startedAt = starts.end(id);
      // Unknown start (Redis was away at the lookup, or too long ago): not provably fresh.
      if (startedAt === undefined || !Number.isFinite(ttl) || ttl <= 0) return;
      const keys = withId(entities).flatMap(entityKeys);
      await quietly(
        'write',
        () =>
          redis.eval(STORE_SCRIPT, 1 + keys.length, responseKey(id), ...keys, JSON.stringify(data), ttl, startedAt, id),
        null,
      );
    },

    async invalidate(entities) {
      const keys = withId(entities).flatMap(entityKeys);
      if (keys.length === 0) return;
      const done = quietly(
        'invalidation',
        () =>
          redis.eval(INVALIDATE_SCRIPT, 1 + keys.length, clockKey, ...keys, rememberInvalidationsMs, responseKey('')),
        null,
      );
      invalidating.add(done);
      try {
        await done;
      } finally {
        invalidating.delete(done);
      }
    },

    async invalidated() {
      if (invalidating.size > 0) await Promise.all(invalidating);
    },
  };
}
