import type { SqlContext } from './context.js';
import { entityCacheKey, type CachedType } from './loaders.js';

/**
 * Drops entities from the shared Redis cache and from this request's loaders
 * after a write, so the response and every replica read the new state.
 * The outbox relay does the same for writes made outside the API.
 */
export async function invalidate(
  { cache, loaders }: SqlContext,
  entries: readonly (readonly [CachedType, string])[],
): Promise<void> {
  await cache.cache.delete(entries.map(([type, id]) => entityCacheKey(cache, type, id)));
  for (const [type, id] of entries) {
    if (type === 'User') loaders.user.clear(id);
    if (type === 'Product') loaders.product.clear(id);
    if (type === 'Order') loaders.order.clear(id);
  }
}
