import type { EntityCache } from '../redis/entity-cache.js';

/** What a service's loaders and writers need to read, fill and invalidate the shared cache. */
export interface CacheSettings {
  cache: EntityCache;
  /** Deployment prefix plus the service's namespace, for example `polystore:sql:`. */
  keyPrefix: string;
  ttlSeconds: number;
  /** Counts each entity read by type and outcome (`hit`, `miss`) on the service's `/metrics`; absent: not counted. */
  lookups?: EntityCacheLookups;
}

export interface EntityCacheLookups {
  inc(labels: { type: string; result: 'hit' | 'miss' }, value: number): void;
}
