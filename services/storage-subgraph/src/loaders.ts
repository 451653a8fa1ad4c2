import type { StorageCache } from './cache.js';

/** Per-request loaders. */
export function createLoaders(cache: StorageCache) {
  return {
    assetByKey: cache.asset.loader(),
    imageKeysByProductId: cache.productImages.loader(),
  };
}

export type StorageLoaders = ReturnType<typeof createLoaders>;
