import type { MongoCache } from './cache.js';

/** Per-request loaders: one `$in` query for every product in a response. */
export function createLoaders(cache: MongoCache) {
  return {
    detailsByProductId: cache.details.loader(),
  };
}

export type MongoLoaders = ReturnType<typeof createLoaders>;
