import {
  cachedEntity,
  createInvalidator,
  jsonWithDates,
  type CacheSettings,
  type Invalidations,
} from '@polystore/common';
import { OWNER_TYPES, type OwnerType } from './keys.js';
import type { AssetModel } from './models.js';
import { headAsset, listOwnerAssets } from './objects.js';
import type { S3Store } from './s3.js';

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
    /** A completed asset by object key (HEAD of the object and of its pending record). */
    asset: cachedEntity<AssetModel>(settings, 'Asset', {
      load: (keys) => Promise.all(keys.map((key) => headAsset(store, key))),
      deserialize: assetWithDates,
    }),
    // An owner's completed assets: two LISTs per owner whatever their number,
    // so N products' images cost 2 S3 calls per distinct product on a miss.
    // Empty lists are not cached: server-side writers (demo data) add objects
    // without going through the mutations that invalidate.
    ownerAssets: cachedEntity<AssetModel[]>(settings, 'OwnerAssets', {
      load: (ids) =>
        Promise.all(
          ids.map(async (id) => {
            const [ownerType, ownerId] = id.split('/') as [OwnerType, string];
            if (!OWNER_TYPES.includes(ownerType)) return null;
            const assets = await listOwnerAssets(store, ownerType, ownerId);
            return assets.length > 0 ? assets : null;
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
export const invalidations: Invalidations<StorageCache> = {
  ProductDeleted: ({ productId }) => ({ ownerAssets: [ownerCacheId('products', productId)] }),
  UserDeleted: ({ userId }) => ({ ownerAssets: [ownerCacheId('users', userId)] }),
};

export const createStorageInvalidator = (cache: StorageCache) => createInvalidator(cache, invalidations);
