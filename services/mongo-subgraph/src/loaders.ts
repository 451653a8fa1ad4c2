import DataLoader from 'dataloader';
import type { ReferenceChecker } from '@polystore/common';
import { CACHED_FIRST_PAGE, type MongoCache } from './cache.js';
import { createReviewPageLoader } from './reviews.js';
import type { MongoStore } from './store/collections.js';
import { withMongoErrors } from './store/errors.js';
import * as reviews from './store/reviews.js';

/** Per-request loaders: one query (or one Redis MGET) for every product, user or review in a response. */
export function createLoaders(store: MongoStore, cache: MongoCache, references: ReferenceChecker) {
  const rating = cache.rating.loader();
  const newestReviews = cache.newestReviews.loader();
  // How many reviews each user wrote: User.reviews totalCount for a whole response in one aggregation.
  const reviewCountByUser = new DataLoader<string, number>((userIds) =>
    withMongoErrors(() => reviews.countByUser(store, userIds)),
  );
  const reviewsByUser = createReviewPageLoader(store, 'userId', (userId) => reviewCountByUser.load(userId));
  return {
    detailsByProductId: cache.details.loader(),
    ratingByProductId: rating,
    newestReviewsByProduct: newestReviews,
    review: cache.review.loader(),
    category: cache.category.loader(),
    // A product's review count is its rating's count: one cached aggregation answers both.
    reviewsByProduct: createReviewPageLoader(
      store,
      'productId',
      async (productId) => (await rating.load(productId))!.count,
      // A first page of up to CACHED_FIRST_PAGE reviews comes from the cache.
      { size: CACHED_FIRST_PAGE, read: async (productId) => (await newestReviews.load(productId)) ?? [] },
    ),
    reviewsByUser,
    /** Whether products and users exist, asked of their owner (batched). */
    references: references.loader(),
  };
}

export type MongoLoaders = ReturnType<typeof createLoaders>;
