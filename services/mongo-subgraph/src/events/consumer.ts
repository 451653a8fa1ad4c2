import { startConsumerGroup, type ReadinessCheck, type ServiceContext, type EventStream } from '@polystore/common';
import { createMongoInvalidator, type MongoCache } from '../cache.js';
import type { ProductCopies } from '../product-copy.js';
import { syncSearchDocuments } from '../search-documents.js';
import type { MongoStore } from '../store/collections.js';
import { removeProduct, removeReviewsOfUser } from '../store/review-writes.js';

/**
 * Reacts to domain events from the other services (idempotent, since events
 * may arrive more than once; what each makes stale is the table in cache.ts):
 * - ProductDeleted: the product's details and reviews go (together, where the
 *   server has transactions: store/review-writes.ts).
 * - ProductCreated, ProductUpdated: the product's search document is written
 *   from what the owner holds now (newest version wins; search-documents.ts).
 * - UserDeleted: the user's reviews go (deleted, not anonymised: a review is
 *   the user's own words, and a rating no one can answer for should not count),
 *   and the ratings of the products they reviewed are recomputed (in the same
 *   transaction, where the server has them).
 */
export function startEventConsumer(
  { config, log, teardown }: ServiceContext,
  {
    events,
    store,
    cache,
    productCopies,
  }: { events: EventStream; store: MongoStore; cache: MongoCache; productCopies: ProductCopies },
): ReadinessCheck {
  return startConsumerGroup(
    { events, group: 'mongo-subgraph', log, teardown, retryAfterMs: config.events.retryAfterMs },
    {
      async ProductDeleted({ productId }, event) {
        const { document, reviewIds } = await removeProduct(store, productId);
        await cache.review.invalidate(reviewIds);
        if (document || reviewIds.length > 0) {
          log.info(
            { productId, reviews: reviewIds.length, eventId: event.id },
            "removed a deleted product's details and reviews",
          );
        }
      },
      ProductCreated: ({ productId }) => syncSearchDocuments(store, productCopies, [productId]),
      ProductUpdated: ({ productId }) => syncSearchDocuments(store, productCopies, [productId]),
      async UserDeleted({ userId }, event) {
        const removed = await removeReviewsOfUser(store, userId);
        if (removed.length === 0) return;
        const productIds = [...new Set(removed.map((review) => review.productId))];
        await Promise.all([
          cache.rating.invalidate(productIds),
          cache.newestReviews.invalidate(productIds),
          cache.review.invalidate(removed.map((review) => review.id)),
        ]);
        log.info({ userId, reviews: removed.length, eventId: event.id }, "removed a deleted user's reviews");
      },
    },
    createMongoInvalidator(cache),
  );
}
