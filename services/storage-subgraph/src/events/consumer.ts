import { startConsumerGroup, type CacheSettings, type EventStream, type ServiceContext } from '@polystore/common';
import { assetCacheKey, productImagesCacheKey } from '../loaders.js';
import { deletePrefix } from '../objects.js';
import type { S3Store } from '../s3.js';

/** Object prefixes that belong to an aggregate and go when it is deleted. */
const OWNED_PREFIXES: Record<string, (payload: Record<string, string>) => string> = {
  ProductDeleted: ({ productId }) => `products/${productId}/`,
  UserDeleted: ({ userId }) => `users/${userId}/`,
};

/**
 * Reacts to domain events from the other services: a deleted product's
 * images (and a deleted user's objects) are removed from the bucket.
 * Idempotent, since events may arrive more than once.
 */
export function startEventConsumer(
  { config, log, teardown }: ServiceContext,
  { events, s3, cache }: { events: EventStream; s3: S3Store; cache: CacheSettings },
): void {
  startConsumerGroup(
    { events, group: 'storage-subgraph', log, teardown, retryAfterMs: config.events.retryAfterMs },
    async (event) => {
      const prefixOf = OWNED_PREFIXES[event.type];
      if (!prefixOf) return;
      const prefix = prefixOf(event.payload as Record<string, string>);
      const deleted = await deletePrefix(s3, prefix);
      const owner = (event.payload as Record<string, string>).productId;
      await cache.cache.delete([
        ...deleted.map((key) => assetCacheKey(cache, key)),
        ...(owner ? [productImagesCacheKey(cache, owner)] : []),
      ]);
      if (deleted.length > 0)
        log.info({ prefix, objects: deleted.length, eventId: event.id }, 'removed the objects of a deleted owner');
    },
  );
}
