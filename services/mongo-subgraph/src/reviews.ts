import DataLoader from 'dataloader';
import { decodeCursor, groupByKeys, toConnection, type Connection } from '@polystore/common';
import { ObjectId, type Filter } from 'mongodb';
import type { ReviewDocument } from './models.js';
import type { MongoStore } from './store/collections.js';
import { withMongoErrors } from './store/errors.js';
import { afterKey } from './store/keyset.js';
import { readPages, type ReviewOwner } from './store/review-pages.js';

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
  return afterKey(['createdAt', '_id'], [new Date(createdAtMs as number), new ObjectId(objectId as string)]);
}

/**
 * One page of reviews for each of many owners in one command per distinct
 * (size, after) (store/review-pages.ts), each page size + 1 long (the extra
 * one tells whether another page exists).
 * Call `validatePage` on the key first: cursors are checked before batching.
 */
export function createReviewPageLoader(
  store: MongoStore,
  owner: ReviewOwner,
  totalCount: (ownerId: string) => Promise<number>,
  /** Where first pages (no `after`) of up to `size` come from instead: the newest size + 1 reviews of an owner. */
  firstPages?: { size: number; read: (ownerId: string) => Promise<ReviewDocument[]> },
) {
  return new DataLoader<ReviewPageKey, Connection<ReviewDocument>, string>(
    async (keys) => {
      // First pages the cache serves; the rest grouped by page (size and cursor), one read each.
      const cached = (key: ReviewPageKey) => !!firstPages && !key.after && key.size <= firstPages.size;
      const groups = new Map<string, ReviewPageKey[]>();
      for (const key of keys.filter((key) => !cached(key))) {
        const group = `${key.size}|${key.after ?? ''}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const pages = new Map<ReviewPageKey, ReviewDocument[]>();
      const fromCache = keys
        .filter(cached)
        .map(async (key) => pages.set(key, (await firstPages!.read(key.ownerId)).slice(0, key.size + 1)));
      await Promise.all([
        ...fromCache,
        ...[...groups.values()].map(async (group) => {
          const { size, after } = group[0]!;
          const ownerIds = [...new Set(group.map((key) => key.ownerId))];
          const rows = await withMongoErrors(() => readPages(store, owner, ownerIds, size, afterFilter(after)));
          const byOwner = groupByKeys(
            ownerIds,
            rows.map((row) => ({ ownerId: row._id, reviews: row.reviews })),
            (row) => row.ownerId,
          );
          group.forEach((key) => pages.set(key, byOwner[ownerIds.indexOf(key.ownerId)]![0]?.reviews ?? []));
        }),
      ]);
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
