import type { ReferenceChecker } from '@polystore/common';
import type { ReviewDocument } from './models.js';
import type { MongoStore } from './store/collections.js';
import { withMongoErrors } from './store/errors.js';
import { removeWithRating } from './store/review-writes.js';

/**
 * Closes the race between a new review and the deletion of its product or
 * author. The references are checked before the insert, but a deletion whose
 * event handler (which removes the user's or product's reviews) ran between
 * that check and the insert would leave the review behind for good. Asking the
 * owner again *after* the insert closes it: if the deletion committed first we
 * see it here and remove the review; if it commits later, its event reaches
 * the handler after our insert, and the handler removes it. Returns the
 * reference that is gone (the review was removed, its rating copy rewritten), or null.
 */
export async function removeIfOrphaned(
  store: MongoStore,
  references: ReferenceChecker,
  review: Pick<ReviewDocument, '_id' | 'id' | 'productId' | 'userId'>,
): Promise<{ type: 'Product' | 'User'; id: string } | null> {
  // A new loader: the request's own remembers the answers from before the insert.
  const fresh = references.loader();
  const answers = await Promise.all([
    fresh.load({ type: 'Product', id: review.productId }),
    fresh.load({ type: 'User', id: review.userId }),
  ]).catch(() => null);
  // An owner unreachable now leaves the answer from before the insert standing (the
  // review is written; failing the request would make its retry a CONFLICT).
  if (!answers) return null;
  const [product, user] = answers;
  if (product && user) return null;
  await withMongoErrors(() => removeWithRating(store, review));
  return product ? { type: 'User', id: review.userId } : { type: 'Product', id: review.productId };
}
