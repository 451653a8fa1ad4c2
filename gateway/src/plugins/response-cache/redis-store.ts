import type { ExecutionResult } from 'graphql';
import type { Redis } from 'ioredis';
import type { CacheFence, Logger } from '@polystore/common';
import { createExecutionStarts } from './execution-starts.js';
import { INVALIDATE_SCRIPT, STORE_SCRIPT } from './scripts.js';

/** An entity an answer holds: its type, and its id where the answer shows it (without: some instance of the type). */
export interface CacheEntityRecord {
  typename: string;
  id?: string | number;
}

export interface RedisResponseStoreOptions {
  /**
   * How long an invalidation is remembered, in milliseconds: an answer whose
   * execution started before it is refused for that long. Must outlast the
   * slowest execution (GATEWAY_UPSTREAM_TIMEOUT_MS).
   */
  rememberInvalidationsMs: number;
  /**
   * Closes the cache while Redis is away and until the stored responses
   * (`<prefix>response:`) were deleted on the new connection, as the
   * services' entity caches are (invalidations made meanwhile were lost).
   * Without one, answers an outage made stale live out their TTL.
   */
  fence?: CacheFence;
}

/**
 * Cached responses in Redis, shared by every gateway replica: each response
 * under `<prefix>response:<id>`, and sets of the responses to drop when
 * something changes: `<prefix>entity:<Type>:<id>` for the entities an answer
 * holds with their id, `<prefix>unidentified:<Type>` for answers holding a
 * `<Type>` whose id the client did not select (dropped when any `<Type>`
 * changes), and `<prefix>type:<Type>` for every answer holding a `<Type>`
 * (dropped when a mutation changed a `<Type>` without saying which). Sets
 * expire with the longest-lived response in them, so nothing grows without
 * bound. Never throws: with Redis away, reads miss and writes and
 * invalidations are skipped (logged), and the subgraphs answer.
 *
 * An answer is stored after it is sent, so an invalidation can overtake it.
 * Each invalidation therefore takes a number from a counter in Redis
 * (`<prefix>clock`) and stamps what it invalidated with it
 * (`<prefix>invalidated:<Type>:<id>`, `…invalidated-some:<Type>` for any
 * `<Type>`, `…invalidated-type:<Type>` for all of them); a lookup that misses
 * reads the counter (in the same round trip), and the answer is stored only if
 * none of the stamps it depends on is later. Both are Lua scripts, so no write
 * slips between the check and the store, or between listing responses and
 * deleting them.
 *
 * (`@envelop/response-cache-redis` keeps one set per type that never expires,
 * writes keys without a prefix, and has this race; hence this store.)
 */
export interface RedisResponseStore {
  /** The answer stored under `id`; on a miss, remembers when the answer about to be computed began. */
  get(id: string): Promise<ExecutionResult | undefined>;
  /** Stores an answer for `ttl` ms, unless something it holds was invalidated since its lookup missed. */
  set(id: string, data: ExecutionResult, entities: Iterable<CacheEntityRecord>, ttl: number): Promise<void>;
  /** Drops every answer holding one of the entities (one without id: every answer holding its type). */
  invalidate(entities: Iterable<CacheEntityRecord>): Promise<void>;
  /** Resolves once every invalidation begun so far has reached Redis (the cache plugin does not await them). */
  invalidated(): Promise<void>;
}

export function createRedisResponseStore(
  redis: Redis,
  prefix: string,
  log: Logger,
  { rememberInvalidationsMs, fence }: RedisResponseStoreOptions,
): RedisResponseStore {
  const clockKey = `${prefix}clock`;
  const responseKey = (id: string) => `${prefix}response:${id}`;
  const keys = {
    entity: ({ typename, id }: CacheEntityRecord) => `${prefix}entity:${typename}:${String(id)}`,
    entityStamp: ({ typename, id }: CacheEntityRecord) => `${prefix}invalidated:${typename}:${String(id)}`,
    unidentified: ({ typename }: CacheEntityRecord) => `${prefix}unidentified:${typename}`,
    someStamp: ({ typename }: CacheEntityRecord) => `${prefix}invalidated-some:${typename}`,
    type: ({ typename }: CacheEntityRecord) => `${prefix}type:${typename}`,
    typeStamp: ({ typename }: CacheEntityRecord) => `${prefix}invalidated-type:${typename}`,
  };
  const identified = (entity: CacheEntityRecord) => entity.id !== undefined && entity.id !== null;
  /** What an answer holding these entities is refused by (stamps), and where it is listed (sets). */
  const holding = (entities: Iterable<CacheEntityRecord>) => {
    const stamps = new Set<string>();
    const sets = new Set<string>();
    for (const entity of entities) {
      if (identified(entity)) {
        stamps.add(keys.entityStamp(entity)).add(keys.typeStamp(entity));
        sets.add(keys.entity(entity)).add(keys.type(entity));
      } else {
        stamps.add(keys.someStamp(entity));
        sets.add(keys.unidentified(entity)).add(keys.type(entity));
      }
    }
    return { stamps: [...stamps], sets: [...sets] };
  };
  /** What invalidating these entities drops (sets) and stamps; one without id stands for every one of its type. */
  const invalidating = (entities: Iterable<CacheEntityRecord>) => {
    const stamps = new Set<string>();
    const sets = new Set<string>();
    for (const entity of entities) {
      stamps.add(keys.someStamp(entity));
      if (identified(entity)) {
        sets.add(keys.entity(entity)).add(keys.unidentified(entity));
        stamps.add(keys.entityStamp(entity));
      } else {
        sets.add(keys.type(entity));
        stamps.add(keys.typeStamp(entity));
      }
    }
    return { stamps: [...stamps], sets: [...sets] };
  };
  const starts = createExecutionStarts(rememberInvalidationsMs);
  const running = new Set<Promise<unknown>>();
  const quietly = async <T>(what: string, work: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      log.debug({ err }, `response cache ${what} skipped: Redis unavailable`);
      return fallback;
    }
  };

  /** An invalidation that does not reach Redis closes the fence, so the flush removes what it should have. */
  const evalOrBreach = (...args: Parameters<Redis['eval']>) =>
    (redis.eval(...args) as Promise<unknown>).catch((err: unknown) => {
      fence?.breached();
      throw err;
    });
  // A lookup's start is kept under the fence's mark: an answer whose lookup came before the
  // cache last closed finds no start, so it is not stored (an invalidation may have been lost).
  const startKey = (id: string) => `${fence?.mark() ?? 0}:${id}`;

  return {
    async get(id) {
      if (fence && !fence.isOpen) return undefined;
      const read = await quietly('read', () => redis.mget(responseKey(id), clockKey), undefined);
      if (!read) return undefined;
      const [raw, clock] = read;
      if (raw) return JSON.parse(raw) as ExecutionResult;
      // A miss: the answer about to be computed is older than any invalidation from now on.
      starts.begin(startKey(id), Number(clock ?? 0));
      return undefined;
    },

    async set(id, data, entities, ttl) {
      const startedAt = starts.end(startKey(id));
      // Unknown start (Redis was away at the lookup, or too long ago): not provably fresh.
      if (startedAt === undefined || !Number.isFinite(ttl) || ttl <= 0 || (fence && !fence.isOpen)) return;
      const { stamps, sets } = holding(entities);
      await quietly(
        'write',
        () =>
          redis.eval(
            STORE_SCRIPT,
            1 + stamps.length + sets.length,
            responseKey(id),
            ...stamps,
            ...sets,
            JSON.stringify(data),
            ttl,
            startedAt,
            id,
            stamps.length,
          ),
        null,
      );
    },

    async invalidate(entities) {
      const { stamps, sets } = invalidating(entities);
      if (sets.length === 0) return;
      const done = quietly(
        'invalidation',
        () =>
          evalOrBreach(
            INVALIDATE_SCRIPT,
            1 + sets.length + stamps.length,
            clockKey,
            ...sets,
            ...stamps,
            rememberInvalidationsMs,
            responseKey(''),
            sets.length,
          ),
        null,
      );
      running.add(done);
      try {
        await done;
      } finally {
        running.delete(done);
      }
    },

    async invalidated() {
      if (running.size > 0) await Promise.all(running);
    },
  };
}
