import type { FindCursor, ObjectId } from 'mongodb';
import type { ReviewDocument } from '../models.js';
import type { WriteSession } from './atomic.js';
import { oneBatch, type MongoStore } from './collections.js';

/**
 * Every statement on `reviews` by id, author or product. Pages are
 * `review-pages.ts`, ratings `ratings.ts`. A review's `_id` is derived from
 * (product, user) (review-id.ts), so inserting a second review of a product by
 * one user fails on the `_id` index. Writes take the session of the
 * transaction they belong to (`atomic.ts`; review-writes.ts pairs each with
 * the rating copy).
 */

/** The reviews with these `_id`s, in no order (the loader matches them on the whole id). */
export function byObjectIds(store: MongoStore, objectIds: readonly ObjectId[]): Promise<ReviewDocument[]> {
  return store.reviews.find({ _id: { $in: [...objectIds] } }, { batchSize: oneBatch(objectIds.length) }).toArray();
}

/** How many reviews each user wrote, by one aggregation, in the users' order. */
export async function countByUser(store: MongoStore, userIds: readonly string[]): Promise<number[]> {
  const rows = await store.reviews
    .aggregate<{ _id: string; count: number }>(
      [{ $match: { userId: { $in: [...userIds] } } }, { $group: { _id: '$userId', count: { $sum: 1 } } }],
      { batchSize: oneBatch(userIds.length) },
    )
    .toArray();
  const counts = new Map(rows.map((row) => [row._id, row.count]));
  return userIds.map((userId) => counts.get(userId) ?? 0);
}

/** What an operations check reads of a review: its id and the product and user it references. */
export type ReviewReferences = Pick<ReviewDocument, 'id' | 'productId' | 'userId'>;

/** Every review's references, `batchSize` per round trip as the cursor is read. */
export function scanReferences(store: MongoStore, batchSize: number): FindCursor<ReviewReferences> {
  return store.reviews.find<ReviewReferences>(
    {},
    { projection: { _id: 0, id: 1, productId: 1, userId: 1 }, batchSize },
  );
}

/** Inserts a new review (a duplicate key error when the user already reviewed the product). */
export async function insert(store: MongoStore, review: ReviewDocument, session?: WriteSession): Promise<void> {
  await store.reviews.insertOne(review, { session });
}

/** Changes a review's fields; the review as it is now, or null when there is none. */
export function update(
  store: MongoStore,
  { _id, id }: Pick<ReviewDocument, '_id' | 'id'>,
  changes: Partial<Pick<ReviewDocument, 'rating' | 'title' | 'body'>>,
  session?: WriteSession,
): Promise<ReviewDocument | null> {
  return store.reviews.findOneAndUpdate(
    { _id, id },
    { $set: { ...changes, updatedAt: new Date() } },
    { returnDocument: 'after', session },
  );
}

/** Deletes a review; the review deleted, or null when there was none. */
export function remove(
  store: MongoStore,
  { _id, id }: Pick<ReviewDocument, '_id' | 'id'>,
  session?: WriteSession,
): Promise<ReviewDocument | null> {
  return store.reviews.findOneAndDelete({ _id, id }, { session });
}

/** Deletes every review of a product; the ids of those there were (for the cache). */
export async function removeOfProduct(store: MongoStore, productId: string, session?: WriteSession): Promise<string[]> {
  const reviews = await store.reviews.find({ productId }, { projection: { id: 1 }, session }).toArray();
  await store.reviews.deleteMany({ productId }, { session });
  return reviews.map((review) => review.id);
}

/** Deletes every review by a user; which reviews (id and product) there were, none read when there are none. */
export async function removeOfUser(
  store: MongoStore,
  userId: string,
  session?: WriteSession,
): Promise<Pick<ReviewDocument, 'id' | 'productId'>[]> {
  const reviews = await store.reviews.find({ userId }, { projection: { id: 1, productId: 1 }, session }).toArray();
  if (reviews.length > 0) await store.reviews.deleteMany({ userId }, { session });
  return reviews;
}
