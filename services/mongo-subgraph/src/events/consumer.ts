import type { CacheSettings, EventStream, Logger, Teardown } from '@polystore/common';
import type { MongoStore } from '../db.js';
import { detailsCacheKey } from '../loaders.js';

/**
 * Reacts to domain events from the other services: a deleted product's
 * details go too. Idempotent, since events may arrive more than once.
 */
export function startEventConsumer({
  events,
  store,
  cache,
  log,
  teardown,
  retryAfterMs,
}: {
  events: EventStream;
  store: MongoStore;
  cache: CacheSettings;
  log: Logger;
  teardown: Teardown;
  retryAfterMs?: number;
}): void {
  const stop = events.consume(
    'mongo-subgraph',
    async (event) => {
      if (event.type !== 'ProductDeleted') return;
      const { productId } = event.payload as { productId: string };
      const { deletedCount } = await store.productDetails.deleteOne({ productId });
      await cache.cache.delete([detailsCacheKey(cache, productId)]);
      if (deletedCount > 0) log.info({ productId, eventId: event.id }, 'removed the details of a deleted product');
    },
    { log, retryAfterMs },
  );
  teardown.add('event consumer', stop);
}
