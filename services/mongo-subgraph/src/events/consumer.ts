import { startConsumerGroup, type ReadinessCheck, type ServiceContext, type EventStream } from '@polystore/common';
import { createMongoInvalidator, type MongoCache } from '../cache.js';
import type { MongoStore } from '../db.js';
import type { ProductCopies } from '../product-copy.js';
import { copyRatingsToDetails } from '../ratings.js';
import { syncSearchDocuments } from '../search-documents.js';

/**
 * Reacts to domain events from the other services (idempotent, since events
 * may arrive more than once; what each makes stale is the table in cache.ts):
 * - ProductDeleted: the product's details and reviews go.
 * - ProductCreated, ProductUpdated: the product's search document is written
 *   from what the owner holds now (newest version wins; search-documents.ts).
 * - UserDeleted: the user's reviews go (deleted, not anonymised: a review is
 *   the user's own words, and a rating no one can answer for should not count),
 *   and the ratings of the products they reviewed are recomputed.
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
        const reviews = await store.reviews.find({ productId }, { projection: { id: 1 } }).toArray();
        const [details, removed] = await Promise.all([
          store.productDetails.deleteOne({ productId }),
          store.reviews.deleteMany({ productId }),
        ]);
        await cache.review.invalidate(reviews.map((review) => review.id));
        if (details.deletedCount + removed.deletedCount > 0) {
          log.info(
            { productId, reviews: removed.deletedCount, eventId: event.id },
            "removed a deleted product's details and reviews",
          );
        }
      },
      ProductCreated: ({ productId }) => syncSearchDocuments(store, productCopies, [productId]),
      ProductUpdated: ({ productId }) => syncSearchDocuments(store, productCopies, [productId]),
      async UserDeleted({ userId }, event) {
        const reviews = await store.reviews.find({ userId }, { projection: { id: 1, productId: 1 } }).toArray();
        if (reviews.length === 0) return;
        await store.reviews.deleteMany({ userId });
        const productIds = [...new Set(reviews.map((review) => review.productId))];
        await copyRatingsToDetails(store, productIds);
        await Promise.all([
          cache.rating.invalidate(productIds),
          cache.newestReviews.invalidate(productIds),
          cache.review.invalidate(reviews.map((review) => review.id)),
        ]);
        log.info({ userId, reviews: reviews.length, eventId: event.id }, "removed a deleted user's reviews");
      },
    },
    createMongoInvalidator(cache),
  );
}
