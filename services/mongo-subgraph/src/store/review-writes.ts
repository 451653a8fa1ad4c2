import type { ReviewDocument } from '../models.js';
import { atomically } from './atomic.js';
import type { MongoStore } from './collections.js';
import * as productDetails from './product-details.js';
import { copyRatingsToDetails } from './ratings.js';
import * as reviews from './reviews.js';

/**
 * Review writes together with what they change elsewhere: the rating copy on
 * the product's document (search sorts by it), and for a deleted product its
 * document. Each is one transaction where the server runs them (`atomic.ts`):
 * the review and its product's rating copy change together, and two writers of
 * one product's reviews conflict on the copy, so the later one recomputes it
 * from both. On a standalone they run one after another (docs/mongo.md,
 * Replica sets, says what repairs a write cut short).
 */

/** Inserts a review and rewrites its product's rating copy (duplicate key when the user already reviewed it). */
export function insertWithRating(store: MongoStore, review: ReviewDocument): Promise<void> {
  return atomically(store, async (session) => {
    await reviews.insert(store, review, session);
    await copyRatingsToDetails(store, [review.productId], session);
  });
}

/** Changes a review and rewrites its product's rating copy; the review as it is now, or null when there is none. */
export function updateWithRating(
  store: MongoStore,
  review: Pick<ReviewDocument, '_id' | 'id'>,
  changes: Parameters<typeof reviews.update>[2],
): Promise<ReviewDocument | null> {
  return atomically(store, async (session) => {
    const updated = await reviews.update(store, review, changes, session);
    if (updated) await copyRatingsToDetails(store, [updated.productId], session);
    return updated;
  });
}

/** Deletes a review and rewrites its product's rating copy; the review deleted, or null when there was none. */
export function removeWithRating(
  store: MongoStore,
  review: Pick<ReviewDocument, '_id' | 'id'>,
): Promise<ReviewDocument | null> {
  return atomically(store, async (session) => {
    const removed = await reviews.remove(store, review, session);
    if (removed) await copyRatingsToDetails(store, [removed.productId], session);
    return removed;
  });
}

/** A deleted product: its document and its reviews go; whether it had a document, and its reviews' ids (for the cache). */
export function removeProduct(
  store: MongoStore,
  productId: string,
): Promise<{ document: boolean; reviewIds: string[] }> {
  return atomically(store, async (session) => {
    const document = await productDetails.remove(store, productId, session);
    const reviewIds = await reviews.removeOfProduct(store, productId, session);
    return { document, reviewIds };
  });
}

/** A deleted user: their reviews go and the rating copies of what they reviewed are rewritten; the reviews there were. */
export function removeReviewsOfUser(
  store: MongoStore,
  userId: string,
): Promise<Pick<ReviewDocument, 'id' | 'productId'>[]> {
  return atomically(store, async (session) => {
    const removed = await reviews.removeOfUser(store, userId, session);
    await copyRatingsToDetails(store, [...new Set(removed.map((review) => review.productId))], session);
    return removed;
  });
}
