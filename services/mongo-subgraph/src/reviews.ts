import DataLoader from 'dataloader';
import { decodeCursor, groupByKeys, toConnection, type Connection } from '@polystore/common';
import { ObjectId, type Filter } from 'mongodb';
import { withMongoErrors, type MongoStore } from './db.js';
import type { ReviewDocument } from './models.js';
import { oneBatch } from './ratings.js';

/** Which list of reviews: a product's or a user's. */
export type ReviewOwner = 'productId' | 'userId';

export interface ReviewPageKey {
  ownerId: string;
  size: number;
  after: string | null;
}

/** Newest first; `_id` breaks ties, so cursors are stable while reviews come and go. */
export const reviewCursor = (review: ReviewDocument) => [review.createdAt.getTime(), review._id.toHexString()] as const;

function afterFilter(after: string | null): Filter<ReviewDocument> {
  if (!after) return {};
  const [createdAtMs, objectId] = decodeCursor(after, 2);
  if (typeof createdAtMs !== 'number' || typeof objectId !== 'string' || !/^[0-9a-f]{24}$/.test(objectId)) {
    decodeCursor('', 2); // throws the cursor error
  }
  const createdAt = new Date(createdAtMs as number);
  return {
    $or: [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: new ObjectId(objectId as string) } }],
  };
}

/**
 * Pages for owners that share (size, after). One owner (a product page) is a
 * plain index range with a limit. Several are one aggregation: `$group`
 * collects each owner's matching reviews before `$slice` cuts the page, so
 * its work grows with their review counts; `$topN` would bound it on MongoDB
 * 5.2+, but the embedded server lacks it.
 */
async function readPages(
  store: MongoStore,
  owner: ReviewOwner,
  ownerIds: string[],
  size: number,
  after: string | null,
): Promise<{ _id: string; reviews: ReviewDocument[] }[]> {
  const sort = { [owner]: 1, createdAt: -1, _id: -1 } as const;
  if (ownerIds.length === 1) {
    const reviews = await store.reviews
      .find({ [owner]: ownerIds[0], ...afterFilter(after) }, { sort, limit: size + 1, batchSize: size + 1 })
      .toArray();
    return [{ _id: ownerIds[0]!, reviews }];
  }
  return store.reviews
    .aggregate<{ _id: string; reviews: ReviewDocument[] }>(
      [
        { $match: { [owner]: { $in: ownerIds }, ...afterFilter(after) } },
        { $sort: sort },
        { $group: { _id: `$${owner}`, reviews: { $push: '$$ROOT' } } },
        { $project: { reviews: { $slice: ['$reviews', size + 1] } } },
      ],
      { batchSize: oneBatch(ownerIds.length) },
    )
    .toArray();
}

/**
 * One page of reviews for each of many owners in one aggregation per
 * distinct (size, after): match every owner, sort newest first, group per
 * owner keeping size + 1 (the extra one tells whether another page exists).
 * Call `validatePage` on the key first: cursors are checked before batching.
 */
export function createReviewPageLoader(
  store: MongoStore,
  owner: ReviewOwner,
  totalCount: (ownerId: string) => Promise<number>,
) {
  return new DataLoader<ReviewPageKey, Connection<ReviewDocument>, string>(
    async (keys) => {
      const groups = new Map<string, ReviewPageKey[]>();
      for (const key of keys) {
        const group = `${key.size}|${key.after ?? ''}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const pages = new Map<ReviewPageKey, ReviewDocument[]>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const { size, after } = group[0]!;
          const ownerIds = [...new Set(group.map((key) => key.ownerId))];
          const rows = await withMongoErrors(() => readPages(store, owner, ownerIds, size, after));
          const byOwner = groupByKeys(
            ownerIds,
            rows.map((row) => ({ ownerId: row._id, reviews: row.reviews })),
            (row) => row.ownerId,
          );
          group.forEach((key) => pages.set(key, byOwner[ownerIds.indexOf(key.ownerId)]![0]?.reviews ?? []));
        }),
      );
      return keys.map((key) => toConnection(pages.get(key)!, key.size, () => totalCount(key.ownerId), reviewCursor));
    },
    { cacheKeyFn: ({ ownerId, size, after }) => `${ownerId}|${size}|${after ?? ''}` },
  );
}

/** Checks a cursor before a page is batched, so a garbage cursor fails only its own field. */
export function validateAfter(after: string | null | undefined): string | null {
  if (after == null) return null;
  afterFilter(after);
  return after;
}

/** How many reviews each user wrote, by one aggregation (User.reviews totalCount for a whole response). */
export async function countReviewsByUser(store: MongoStore, userIds: readonly string[]): Promise<number[]> {
  const rows = await withMongoErrors(() =>
    store.reviews
      .aggregate<{ _id: string; count: number }>(
        [{ $match: { userId: { $in: [...userIds] } } }, { $group: { _id: '$userId', count: { $sum: 1 } } }],
        { batchSize: oneBatch(userIds.length) },
      )
      .toArray(),
  );
  const counts = new Map(rows.map((row) => [row._id, row.count]));
  return userIds.map((userId) => counts.get(userId) ?? 0);
}
