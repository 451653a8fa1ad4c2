import { startConsumerGroup, type ReadinessCheck, type EventStream, type ServiceContext } from '@polystore/common';
import { createStorageInvalidator, type StorageCache } from '../cache.js';
import { productPrefix, uploadIdOfMarker, userPrefix } from '../store/keys.js';
import { deletePrefix } from '../store/objects.js';
import type { S3Store } from '../store/s3.js';

/**
 * Reacts to domain events from the other services: a deleted product's
 * images and a deleted user's avatar (everything under the owner's prefix,
 * objects of pending uploads included) are removed from the bucket. The
 * markers of pending uploads stay: the sweep then removes such an upload
 * whole, also an object PUT with a URL handed out before the owner went. Orders are never deleted, so their attachments
 * stay. Idempotent, since events may arrive more than once.
 */
export function startEventConsumer(
  { config, log, teardown }: ServiceContext,
  { events, s3, cache }: { events: EventStream; s3: S3Store; cache: StorageCache },
): ReadinessCheck {
  /** Deletes every object under the prefix of an owner that is gone, and their cached metadata. */
  const removeOwned = async (prefix: string, eventId: string) => {
    const deleted = await deletePrefix(s3, prefix, (key) => uploadIdOfMarker(key) !== null);
    await cache.asset.invalidate(deleted);
    if (deleted.length > 0)
      log.info({ prefix, objects: deleted.length, eventId }, 'removed the objects of a deleted owner');
  };
  return startConsumerGroup(
    { events, group: 'storage-subgraph', log, teardown, retryAfterMs: config.events.retryAfterMs },
    {
      ProductDeleted: ({ productId }, event) => removeOwned(productPrefix(productId), event.id),
      UserDeleted: ({ userId }, event) => removeOwned(userPrefix(userId), event.id),
    },
    createStorageInvalidator(cache),
  );
}
