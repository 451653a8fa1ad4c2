import {
  cachedEntity,
  createInvalidator,
  jsonWithDates,
  type CacheSettings,
  type Invalidations,
} from '@polystore/common';
import { OWNER_TYPES, type OwnerType } from './store/keys.js';
import type { AssetModel } from './models.js';
import { headAsset, listOwnerAssets } from './store/objects.js';
import type { S3Store } from './store/s3.js';

/** The id of an owner's asset list in the cache: `products/<id>`, `users/<id>`, `orders/<id>`. */
export const ownerCacheId = (ownerType: OwnerType, ownerId: string) => `${ownerType}/${ownerId}`;

const assetWithDates = jsonWithDates<AssetModel>('createdAt');

/**
 * What the storage-subgraph keeps in Redis (`<prefix>s3:<Type>:<id>`): created
 * once per service; loaders come from it per request, and the event consumer
 * and the upload mutations invalidate through it.
 */
export function createStorageCache(store: S3Store, settings: CacheSettings) {
  return {
    /** A completed asset by object key (HEAD of the object and of its pending marker). */
    asset: cachedEntity<AssetModel>(settings, 'Asset', {
      load: (keys) => Promise.all(keys.map((key) => headAsset(store, key))),
      deserialize: assetWithDates,
    }),
    // An owner's completed assets: one LIST per owner whatever their number, so N
    // products' images cost one S3 call per distinct product on a miss and none on a
    // hit. Empty lists are cached too: every writer (the mutations, the event
    // consumer, store/server-writes.ts) drops the lists it changes.
    ownerAssets: cachedEntity<AssetModel[]>(settings, 'OwnerAssets', {
      load: (ids) =>
        Promise.all(
          ids.map(async (id) => {
            const [ownerType, ownerId] = id.split('/') as [OwnerType, string];
            return OWNER_TYPES.includes(ownerType) ? listOwnerAssets(store, ownerType, ownerId) : null;
          }),
        ),
      deserialize: (raw) =>
        (JSON.parse(raw) as AssetModel[]).map((asset) => ({ ...asset, createdAt: new Date(asset.createdAt) })),
    }),
  };
}

export type StorageCache = ReturnType<typeof createStorageCache>;

/**
 * What each domain event makes stale here; the event consumer applies it after
 * the event's handler. The metadata of the objects a handler deletes is dropped
 * by the handler, which alone knows their keys.
 */
export const invalidations: Invalidations<keyof StorageCache> = {
  ProductDeleted: ({ productId }) => ({ ownerAssets: [ownerCacheId('products', productId)] }),
  UserDeleted: ({ userId }) => ({ ownerAssets: [ownerCacheId('users', userId)] }),
};

export const createStorageInvalidator = (cache: StorageCache) => createInvalidator(cache, invalidations);
