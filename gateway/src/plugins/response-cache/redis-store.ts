import type { ExecutionResult } from 'graphql';
import type { CacheFence, Logger, RedisClient } from '@polystore/common';
import { createExecutionStarts } from './execution-starts.js';
import { responseCacheKeys, type CacheEntityRecord } from './keys.js';
import { INVALIDATE_SCRIPT, STORE_SCRIPT } from './scripts.js';

export type { CacheEntityRecord } from './keys.js';

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
 *
 * Every key is under `prefix` (`keys.ts`), which carries a hash tag on a
 * Redis Cluster (`redisKeys(p).responseCache`): the scripts touch them together.
 */
export interface RedisResponseStore {
  /** The answer stored under `id`; on a miss, remembers when the answer about to be computed began. */
  get(id: string): Promise<ExecutionResult | undefined>;
  /** The same, as the JSON bytes stored (what a client is sent), for answers given before the runtime. */
  read(id: string): Promise<Buffer | undefined>;
  /** Stores an answer for `ttl` ms, unless something it holds was invalidated since its lookup missed. */
  set(id: string, data: ExecutionResult, entities: Iterable<CacheEntityRecord>, ttl: number): Promise<void>;
  /** Drops every answer holding one of the entities (one without id: every answer holding its type). */
  invalidate(entities: Iterable<CacheEntityRecord>): Promise<void>;
  /** Resolves once every invalidation begun so far has reached Redis (the cache plugin does not await them). */
  invalidated(): Promise<void>;
}

export function createRedisResponseStore(
  redis: RedisClient,
  prefix: string,
  log: Logger,
  { rememberInvalidationsMs, fence }: RedisResponseStoreOptions,
): RedisResponseStore {
  const keys = responseCacheKeys(prefix);
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
  const evalOrBreach = (...args: Parameters<RedisClient['eval']>) =>
    (redis.eval(...args) as Promise<unknown>).catch((err: unknown) => {
      fence?.breached();
      throw err;
    });
  // A lookup's start is kept under the fence's mark: an answer whose lookup came before the
  // cache last closed finds no start, so it is not stored (an invalidation may have been lost).
  const startKey = (id: string) => `${fence?.mark() ?? 0}:${id}`;

  const read = async (id: string) => {
    if (fence && !fence.isOpen) return undefined;
    // As bytes: sent as they are, neither decoded here nor encoded again on the socket.
    const found = await quietly('read', () => redis.mgetBuffer(keys.response(id), keys.clock), undefined);
    if (!found) return undefined;
    const [raw, clock] = found;
    if (raw) return raw;
    // A miss: the answer about to be computed is older than any invalidation from now on.
    starts.begin(startKey(id), Number(clock?.toString() ?? 0));
    return undefined;
  };

  return {
    read,

    async get(id) {
      const raw = await read(id);
      return raw === undefined ? undefined : (JSON.parse(raw.toString()) as ExecutionResult);
    },

    async set(id, data, entities, ttl) {
      const startedAt = starts.end(startKey(id));
      // Unknown start (Redis was away at the lookup, or too long ago): not provably fresh.
      if (startedAt === undefined || !Number.isFinite(ttl) || ttl <= 0 || (fence && !fence.isOpen)) return;
      const { stamps, sets } = keys.holding(entities);
      await quietly(
        'write',
        () =>
          redis.eval(
            STORE_SCRIPT,
            1 + stamps.length + sets.length,
            keys.response(id),
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
      const { stamps, sets } = keys.invalidating(entities);
      if (sets.length === 0) return;
      const done = quietly(
        'invalidation',
        () =>
          evalOrBreach(
            INVALIDATE_SCRIPT,
            1 + sets.length + stamps.length,
            keys.clock,
            ...sets,
            ...stamps,
            rememberInvalidationsMs,
            keys.response(''),
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
