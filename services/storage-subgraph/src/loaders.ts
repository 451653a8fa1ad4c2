import DataLoader from 'dataloader';
import { createCachedLoader, jsonWithDates, type CacheSettings } from '@polystore/common';
import { productImagePrefix } from './keys.js';
import type { AssetModel } from './models.js';
import { headAsset, listKeys } from './objects.js';
import type { S3Store } from './s3.js';

export const assetCacheKey = (settings: CacheSettings, key: string) => `${settings.keyPrefix}Asset:${key}`;

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
    imageKeysByProductId: new DataLoader<string, string[]>((productIds) =>
      Promise.all(productIds.map((productId) => listKeys(store, productImagePrefix(productId)))),
    ),
  };
}

export type StorageLoaders = ReturnType<typeof createLoaders>;
