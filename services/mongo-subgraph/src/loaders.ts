import { createCachedLoader, isUuid, jsonWithDates, orderByKeys, type CacheSettings } from '@polystore/common';
import { withMongoErrors, type MongoStore } from './db.js';
import type { ProductDetailsDocument } from './models.js';

export const detailsCacheKey = (settings: CacheSettings, productId: string) =>
  `${settings.keyPrefix}ProductDetails:${productId}`;

/** Per-request loaders: one `$in` query for every product in a response. */
export function createLoaders(store: MongoStore, settings: CacheSettings) {
  return {
    detailsByProductId: createCachedLoader<ProductDetailsDocument>({
      cache: settings.cache,
      keyPrefix: detailsCacheKey(settings, ''),
      ttlSeconds: settings.ttlSeconds,
      deserialize: jsonWithDates<ProductDetailsDocument>('createdAt', 'updatedAt'),
      async load(productIds) {
        const valid = productIds.filter(isUuid);
        const documents = await withMongoErrors(() =>
          store.productDetails.find({ productId: { $in: valid } }, { projection: { _id: 0 } }).toArray(),
        );
        return orderByKeys(productIds, documents, (document) => document.productId);
      },
    }),
  };
}

export type MongoLoaders = ReturnType<typeof createLoaders>;
