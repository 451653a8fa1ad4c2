import type { StorageCache } from './cache.js';

/** Per-request loaders. */
export function createLoaders(cache: StorageCache) {
  return {
    /** A completed asset by object key. */
    asset: cache.asset.loader(),
    /** An owner's completed assets by `ownerCacheId`. */
    ownerAssets: cache.ownerAssets.loader(),
  };
}

export type StorageLoaders = ReturnType<typeof createLoaders>;
