import { startConsumerGroup, type ServiceContext, type EventStream } from '@polystore/common';
import { createMongoInvalidator, type MongoCache } from '../cache.js';
import type { MongoStore } from '../db.js';

/**
 * Reacts to domain events from the other services: a deleted product's
 * details go too (and leave the cache, by the table in cache.ts).
 * Idempotent, since events may arrive more than once.
 */
export function startEventConsumer(
  { config, log, teardown }: ServiceContext,
  { events, store, cache }: { events: EventStream; store: MongoStore; cache: MongoCache },
): void {
  startConsumerGroup(
    { events, group: 'mongo-subgraph', log, teardown, retryAfterMs: config.events.retryAfterMs },
    {
      async ProductDeleted({ productId }, event) {
        const { deletedCount } = await store.productDetails.deleteOne({ productId });
        if (deletedCount > 0) log.info({ productId, eventId: event.id }, 'removed the details of a deleted product');
      },
    },
    createMongoInvalidator(cache),
  );
}
