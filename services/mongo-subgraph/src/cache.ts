import {
  cachedEntity,
  createInvalidator,
  isUuid,
  jsonWithDates,
  orderByKeys,
  type CacheSettings,
  type Invalidations,
} from '@polystore/common';
import type { CategoryDocument, ProductDetailsDocument, RatingSummary, ReviewDocument } from './models.js';
import { reviewObjectId } from './review-id.js';
import * as categories from './store/categories.js';
import type { MongoStore } from './store/collections.js';
import { withMongoErrors } from './store/errors.js';
import * as productDetails from './store/product-details.js';
import { aggregateRatings } from './store/ratings.js';
import { readPages } from './store/review-pages.js';
import * as reviews from './store/reviews.js';

/** The longest first page of a product's reviews served from the cache (a product page asks for a few). */
export const CACHED_FIRST_PAGE = 20;

/** Reviews in the cache carry their public id; the ObjectId `_id` is derived from it again. */
const reviewJson = {
  serialize: (reviews: ReviewDocument[]) => JSON.stringify(reviews.map(({ _id, ...review }) => review)),
  deserialize: (raw: string): ReviewDocument[] =>
    (JSON.parse(raw) as Omit<ReviewDocument, '_id'>[]).map((review) => ({
      ...review,
      _id: reviewObjectId(review.id),
      createdAt: new Date(review.createdAt),
      updatedAt: new Date(review.updatedAt),
    })),
};

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
        const documents = await withMongoErrors(() => productDetails.byProductIds(store, valid));
        return orderByKeys(productIds, documents, (document) => document.productId);
      },
    }),
    /** By product id; dropped whenever a review of the product changes. */
    rating: cachedEntity<RatingSummary>(settings, 'ProductRating', {
      load: (productIds) => withMongoErrors(() => aggregateRatings(store, productIds)),
    }),
    /**
     * By product id: its newest CACHED_FIRST_PAGE + 1 reviews (one more tells whether a
     * page of CACHED_FIRST_PAGE has a next one); dropped with the rating, whenever a
     * review of the product changes.
     */
    newestReviews: cachedEntity<ReviewDocument[]>(settings, 'ProductNewestReviews', {
      ...reviewJson,
      async load(productIds) {
        const valid = productIds.filter(isUuid);
        const pages = await withMongoErrors(() => readPages(store, 'productId', valid, CACHED_FIRST_PAGE, {}));
        const byProduct = new Map(pages.map((page) => [page._id, page.reviews]));
        return productIds.map((productId) => (isUuid(productId) ? (byProduct.get(productId) ?? []) : null));
      },
    }),
    review: cachedEntity<ReviewDocument>(settings, 'Review', {
      serialize: ({ _id, ...review }) => JSON.stringify(review),
      deserialize: (raw) => {
        const review = jsonWithDates<ReviewDocument>('createdAt', 'updatedAt')(raw);
        return { ...review, _id: reviewObjectId(review.id) };
      },
      async load(ids) {
        const valid = ids.filter(isUuid).map(reviewObjectId);
        const documents = await withMongoErrors(() => reviews.byObjectIds(store, valid));
        // The _id holds 12 of the id's 16 bytes: match on the whole id.
        return orderByKeys(ids, documents, (document) => document.id);
      },
    }),
    category: cachedEntity<CategoryDocument>(settings, 'Category', {
      serialize: ({ _id, ...category }) => JSON.stringify(category),
      deserialize: jsonWithDates<CategoryDocument>('updatedAt'),
      async load(slugs) {
        const documents = await withMongoErrors(() => categories.bySlugs(store, slugs));
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
export const invalidations: Invalidations<keyof MongoCache> = {
  ProductDeleted: ({ productId }) => ({ details: [productId], rating: [productId], newestReviews: [productId] }),
  ProductCreated: ({ productId }) => ({ details: [productId] }),
  ProductUpdated: ({ productId }) => ({ details: [productId] }),
};

export const createMongoInvalidator = (cache: MongoCache) => createInvalidator(cache, invalidations);
