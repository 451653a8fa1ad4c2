import DataLoader from 'dataloader';
import type { EntityCache } from '../redis/entity-cache.js';
import type { CacheSettings } from './cache-settings.js';

export interface CachedLoaderOptions<V> {
  cache: EntityCache;
  /** Prefix of the cache keys, for example `polystore:sql:User:`. */
  keyPrefix: string;
  ttlSeconds: number;
  /** Loads the ids the cache missed; returns one value or null per id, in order. */
  load(ids: readonly string[]): Promise<(V | null)[]>;
  serialize?(value: V): string;
  deserialize?(raw: string): V;
  /** Told how many ids of each batch the cache had and missed (for `/metrics`). */
  onLookup?(hits: number, misses: number): void;
}

/** A per-request DataLoader over the two cache levels, which can drop entries from both. */
export class CachedLoader<V> extends DataLoader<string, V | null> {
  constructor(
    batch: DataLoader.BatchLoadFn<string, V | null>,
    private readonly invalidateShared: (ids: readonly string[]) => Promise<void>,
  ) {
    super(batch);
  }

  /**
   * After a write: drops the ids from Redis (so every replica reads the new
   * state), then from this request. Never throws; Redis being down leaves the
   * entries to their TTL.
   */
  async invalidate(ids: readonly string[]): Promise<void> {
    await this.invalidateShared(ids);
    for (const id of ids) this.clear(id);
  }
}

/**
 * A per-request DataLoader whose batch function reads the second-level cache
 * first and asks the store only for misses, then fills the cache. Absent
 * entities are not cached, so a newly created one is visible at once.
 */
export function createCachedLoader<V>({
  cache,
  keyPrefix,
  ttlSeconds,
  load,
  serialize = JSON.stringify,
  deserialize = JSON.parse as (raw: string) => V,
  onLookup,
}: CachedLoaderOptions<V>): CachedLoader<V> {
  return new CachedLoader<V>(
    async (ids) => {
      const mark = cache.mark?.();
      const cached = await cache.getMany(ids.map((id) => keyPrefix + id));
      const results: (V | null)[] = cached.map((raw) => (raw === null ? null : deserialize(raw)));
      const missing = ids.filter((_, i) => cached[i] === null);
      onLookup?.(ids.length - missing.length, missing.length);
      if (missing.length === 0) return results;

      const loaded = await load(missing);
      const byId = new Map(missing.map((id, i) => [id, loaded[i] ?? null]));
      const fresh: [string, string][] = [];
      ids.forEach((id, i) => {
        if (cached[i] !== null) return;
        const value = byId.get(id) ?? null;
        results[i] = value;
        if (value !== null) fresh.push([keyPrefix + id, serialize(value)]);
      });
      await cache.setMany(fresh, ttlSeconds, mark);
      return results;
    },
    sharedInvalidation(cache, keyPrefix),
  );
}

/** Deletes ids under a key prefix; the cache never throws. */
const sharedInvalidation = (cache: EntityCache, keyPrefix: string) => async (ids: readonly string[]) => {
  if (ids.length > 0) await cache.delete(ids.map((id) => keyPrefix + id));
};

/**
 * One type a service caches in Redis, under `<service prefix><type>:<id>`.
 * It makes the per-request loaders and invalidates outside a request (event
 * handlers, the outbox relay); the key scheme lives here and nowhere else.
 */
export interface CachedEntity<V> {
  /** A fresh loader for one request (or one subscription event). */
  loader(): CachedLoader<V>;
  /** Drops the ids from Redis, for every replica. Never throws. */
  invalidate(ids: readonly string[]): Promise<void>;
}

export function cachedEntity<V>(
  settings: CacheSettings,
  type: string,
  options: Pick<CachedLoaderOptions<V>, 'load' | 'serialize' | 'deserialize'>,
): CachedEntity<V> {
  const keyPrefix = `${settings.keyPrefix}${type}:`;
  const { lookups } = settings;
  const onLookup =
    lookups &&
    ((hits: number, misses: number) => {
      if (hits > 0) lookups.inc({ type, result: 'hit' }, hits);
      if (misses > 0) lookups.inc({ type, result: 'miss' }, misses);
    });
  return {
    loader: () =>
      createCachedLoader<V>({
        ...options,
        cache: settings.cache,
        keyPrefix,
        ttlSeconds: settings.ttlSeconds,
        onLookup,
      }),
    invalidate: sharedInvalidation(settings.cache, keyPrefix),
  };
}

/** Orders rows to match the requested keys, with null for keys that have no row. */
export function orderByKeys<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

/** Groups rows by a key, with an empty list for keys that have none. */
export function groupByKeys<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
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
