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
import type { CategoryDocument, ProductDetailsDocument, RatingSummary, ReviewDocument } from './models.js';
import { aggregateRatings, oneBatch } from './ratings.js';
import { reviewObjectId } from './review-id.js';

/**
 * What the mongo-subgraph keeps in Redis (`<prefix>mongo:<Type>:<id>`):
 * created once per service; loaders come from it per request, and writers and
 * the event consumer invalidate through it.
 */
export function createMongoCache(store: MongoStore, settings: CacheSettings) {
  return {
    details: cachedEntity<ProductDetailsDocument>(settings, 'ProductDetails', {
      deserialize: jsonWithDates<ProductDetailsDocument>(
        'createdAt',
        'updatedAt',
        'productCreatedAt',
        'productUpdatedAt',
      ),
      async load(productIds) {
        const valid = productIds.filter(isUuid);
        const documents = await withMongoErrors(() =>
          store.productDetails
            .find({ productId: { $in: valid } }, { projection: { _id: 0 }, batchSize: oneBatch(valid.length) })
            .toArray(),
        );
        return orderByKeys(productIds, documents, (document) => document.productId);
      },
    }),
    /** By product id; dropped whenever a review of the product changes. */
    rating: cachedEntity<RatingSummary>(settings, 'ProductRating', {
      load: (productIds) => withMongoErrors(() => aggregateRatings(store, productIds)),
    }),
    review: cachedEntity<ReviewDocument>(settings, 'Review', {
      serialize: ({ _id, ...review }) => JSON.stringify(review),
      deserialize: (raw) => {
        const review = jsonWithDates<ReviewDocument>('createdAt', 'updatedAt')(raw);
        return { ...review, _id: reviewObjectId(review.id) };
      },
      async load(ids) {
        const valid = ids.filter(isUuid).map(reviewObjectId);
        const documents = await withMongoErrors(() =>
          store.reviews.find({ _id: { $in: valid } }, { batchSize: oneBatch(valid.length) }).toArray(),
        );
        // The _id holds 12 of the id's 16 bytes: match on the whole id.
        return orderByKeys(ids, documents, (document) => document.id);
      },
    }),
    category: cachedEntity<CategoryDocument>(settings, 'Category', {
      serialize: ({ _id, ...category }) => JSON.stringify(category),
      deserialize: jsonWithDates<CategoryDocument>('updatedAt'),
      async load(slugs) {
        const documents = await withMongoErrors(() =>
          store.categories.find({ slug: { $in: [...slugs] } }, { projection: { _id: 0 } }).toArray(),
        );
        return orderByKeys(slugs, documents, (document) => document.slug);
      },
    }),
  };
}

export type MongoCache = ReturnType<typeof createMongoCache>;

/**
 * What each domain event makes stale here; the event consumer applies it
 * after the event's handler. Reviews a handler deletes (their ids are not in
 * the payload) are invalidated by the handler itself.
 */
export const invalidations: Invalidations<MongoCache> = {
  ProductDeleted: ({ productId }) => ({ details: [productId], rating: [productId] }),
  ProductCreated: ({ productId }) => ({ details: [productId] }),
  ProductUpdated: ({ productId }) => ({ details: [productId] }),
};

export const createMongoInvalidator = (cache: MongoCache) => createInvalidator(cache, invalidations);
