import {
  cachedEntity,
  createInvalidator,
  jsonWithDates,
  type CacheSettings,
  type Invalidations,
} from '@polystore/common';
import { productImagePrefix } from './keys.js';
import type { AssetModel } from './models.js';
import { headAsset, listKeys } from './objects.js';
import type { S3Store } from './s3.js';

/**
 * What the storage-subgraph keeps in Redis (`<prefix>s3:<Type>:<id>`): created
 * once per service; loaders come from it per request, and the event consumer
 * invalidates through it. S3 has no batch HEAD, so a batch runs its requests in parallel.
 */
export function createStorageCache(store: S3Store, settings: CacheSettings) {
  return {
    /** Object metadata by object key. */
    asset: cachedEntity<AssetModel>(settings, 'Asset', {
      load: (keys) => Promise.all(keys.map((key) => headAsset(store, key))),
      deserialize: jsonWithDates<AssetModel>('createdAt'),
    }),
    // A LIST per product is the costly part of Product.images, so lists are cached too.
    // Empty lists are not: an image added by another writer must show at once.
    productImages: cachedEntity<string[]>(settings, 'ProductImages', {
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

export type StorageCache = ReturnType<typeof createStorageCache>;

/**
 * What each domain event makes stale here; the event consumer applies it after
 * the event's handler. The metadata of the objects a handler deletes is dropped
 * by the handler, which alone knows their keys.
 */
export const invalidations: Invalidations<StorageCache> = {
  ProductDeleted: ({ productId }) => ({ productImages: [productId] }),
};

export const createStorageInvalidator = (cache: StorageCache) => createInvalidator(cache, invalidations);
