/**
 * Second-level entity cache shared by every replica of a service. Values are
 * serialized entities keyed by `type:id`; DataLoader stays the per-request
 * first level. Implementations never throw: a cache that cannot answer
 * reports misses, so the stores still serve the request.
 */
export interface EntityCache {
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /**
   * Stores entries. With `mark` (taken by `mark()` before the read that missed), nothing is
   * stored if the cache was emptied since: the values were loaded before an outage ended.
   */
  setMany(
    entries: readonly (readonly [key: string, value: string])[],
    ttlSeconds: number,
    mark?: number,
  ): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** A mark for `setMany`; absent where the cache is never emptied behind a reader's back. */
  mark?(): number;
  /**
   * Counts one hit in a fixed window of `windowMs` that starts with the key's first
   * hit (rate limits). Null when the store cannot answer: callers let the request through.
   */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number } | null>;
}
