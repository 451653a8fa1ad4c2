import DataLoader from 'dataloader';
import type { EntityCache } from '../redis/cache.js';

export interface CachedLoaderOptions<V> {
  cache: EntityCache;
  /** Prefix of the cache keys, for example `polystore:sql:User:`. */
  keyPrefix: string;
  ttlSeconds: number;
  /** Loads the ids the cache missed; returns one value or null per id, in order. */
  load(ids: readonly string[]): Promise<(V | null)[]>;
  serialize?(value: V): string;
  deserialize?(raw: string): V;
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
}: CachedLoaderOptions<V>): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>(async (ids) => {
    const cached = await cache.getMany(ids.map((id) => keyPrefix + id));
    const results: (V | null)[] = cached.map((raw) => (raw === null ? null : deserialize(raw)));
    const missing = ids.filter((_, i) => cached[i] === null);
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
    await cache.setMany(fresh, ttlSeconds);
    return results;
  });
}

/** Orders rows to match the requested keys, with null for keys that have no row. */
export function orderByKeys<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}
