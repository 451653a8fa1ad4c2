import { createCachedLoader, jsonWithDates, type CacheSettings } from '@polystore/common';
import { productImagePrefix } from './keys.js';
import type { AssetModel } from './models.js';
import { headAsset, listKeys } from './objects.js';
import type { S3Store } from './s3.js';

export const assetCacheKey = (settings: CacheSettings, key: string) => `${settings.keyPrefix}Asset:${key}`;
export const productImagesCacheKey = (settings: CacheSettings, productId: string) =>
  `${settings.keyPrefix}ProductImages:${productId}`;

/** Per-request loaders. S3 has no batch HEAD, so a batch runs its requests in parallel. */
export function createLoaders(store: S3Store, settings: CacheSettings) {
  return {
    assetByKey: createCachedLoader<AssetModel>({
      cache: settings.cache,
      keyPrefix: assetCacheKey(settings, ''),
      ttlSeconds: settings.ttlSeconds,
      load: (keys) => Promise.all(keys.map((key) => headAsset(store, key))),
      deserialize: jsonWithDates<AssetModel>('createdAt'),
    }),
    // A LIST per product is the costly part of Product.images, so lists are cached too.
    // Empty lists are not: an image added by another writer must show at once.
    imageKeysByProductId: createCachedLoader<string[]>({
      cache: settings.cache,
      keyPrefix: productImagesCacheKey(settings, ''),
      ttlSeconds: settings.ttlSeconds,
      load: (productIds) =>
        Promise.all(
          productIds.map(async (productId) => {
            const keys = await listKeys(store, productImagePrefix(productId));
            return keys.length > 0 ? keys : null;
          }),
        ),
    }),
  };
}

export type StorageLoaders = ReturnType<typeof createLoaders>;
