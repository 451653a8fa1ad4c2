import DataLoader from 'dataloader';
import { createCachedLoader, type EntityCache } from '@polystore/common';
import { productImagePrefix } from './keys.js';
import type { AssetModel } from './models.js';
import { headAsset, listKeys } from './objects.js';
import type { S3Store } from './s3.js';

export interface CacheSettings {
  cache: EntityCache;
  keyPrefix: string;
  ttlSeconds: number;
}

export const assetCacheKey = (settings: CacheSettings, key: string) => `${settings.keyPrefix}s3:Asset:${key}`;

/** Per-request loaders. S3 has no batch HEAD, so a batch runs its requests in parallel. */
export function createLoaders(store: S3Store, settings: CacheSettings) {
  return {
    assetByKey: createCachedLoader<AssetModel>({
      cache: settings.cache,
      keyPrefix: assetCacheKey(settings, ''),
      ttlSeconds: settings.ttlSeconds,
      load: (keys) => Promise.all(keys.map((key) => headAsset(store, key))),
      deserialize: (raw) => {
        const asset = JSON.parse(raw) as AssetModel;
        asset.createdAt = new Date(asset.createdAt);
        return asset;
      },
    }),
    imageKeysByProductId: new DataLoader<string, string[]>((productIds) =>
      Promise.all(productIds.map((productId) => listKeys(store, productImagePrefix(productId)))),
    ),
  };
}

export type StorageLoaders = ReturnType<typeof createLoaders>;
