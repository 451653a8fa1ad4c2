import { startConsumerGroup, type CacheSettings, type ServiceContext, type EventStream } from '@polystore/common';
import type { MongoStore } from '../db.js';
import { detailsCacheKey } from '../loaders.js';

/**
 * Reacts to domain events from the other services: a deleted product's
 * details go too. Idempotent, since events may arrive more than once.
 */
export function startEventConsumer(
  { config, log, teardown }: ServiceContext,
  { events, store, cache }: { events: EventStream; store: MongoStore; cache: CacheSettings },
): void {
  startConsumerGroup(
    { events, group: 'mongo-subgraph', log, teardown, retryAfterMs: config.events.retryAfterMs },
    {
      async ProductDeleted({ productId }, event) {
        const { deletedCount } = await store.productDetails.deleteOne({ productId });
        await cache.cache.delete([detailsCacheKey(cache, productId)]);
        if (deletedCount > 0) log.info({ productId, eventId: event.id }, 'removed the details of a deleted product');
      },
    },
  );
}
