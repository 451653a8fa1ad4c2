import {
  cachedEntity,
  createInvalidator,
  isUuid,
  jsonWithDates,
  orderByKeys,
  type CacheSettings,
  type Invalidations,
} from '@polystore/common';
import { withMongoErrors, type MongoStore } from './db.js';
import type { ProductDetailsDocument } from './models.js';

/**
 * What the mongo-subgraph keeps in Redis (`<prefix>mongo:<Type>:<id>`):
 * created once per service; loaders come from it per request, and writers and
 * the event consumer invalidate through it.
 */
export function createMongoCache(store: MongoStore, settings: CacheSettings) {
  return {
    details: cachedEntity<ProductDetailsDocument>(settings, 'ProductDetails', {
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

export type MongoCache = ReturnType<typeof createMongoCache>;

/** What each domain event makes stale here; the event consumer applies it after the event's handler. */
export const invalidations: Invalidations<MongoCache> = {
  ProductDeleted: ({ productId }) => ({ details: [productId] }),
};

export const createMongoInvalidator = (cache: MongoCache) => createInvalidator(cache, invalidations);
