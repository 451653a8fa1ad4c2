import type { Filter } from 'mongodb';
import type { ReviewDocument } from '../models.js';
import { oneBatch, type MongoStore } from './collections.js';

/** Which list of reviews: a product's or a user's. */
export type ReviewOwner = 'productId' | 'userId';

/** Owners per aggregation with sub-pipelines: one `$unionWith` stage each, and MongoDB allows 1,000 stages. */
export const OWNERS_PER_COMMAND = 200;

type Page = { _id: string; reviews: ReviewDocument[] };

/**
 * A page (size + 1 reviews, newest first) for each owner, all sharing one
 * `after` condition. One owner (a product page) is a plain index range with a
 * limit. Several are one command (per 200 owners), by the strategy the server
 * does best (docs/mongo.md):
 * - real MongoDB (4.4+): the first owner's indexed range with a limit, then
 *   one `$unionWith` sub-pipeline per other owner, each the same bounded range
 *   on the index, so the work is at most size + 1 reviews per owner whatever
 *   their review counts;
 * - the embedded server, which reads no index and scans the collection for
 *   every sub-pipeline: one scan, `$group` per owner, `$slice` to the page.
 */
export async function readPages(
  store: MongoStore,
  owner: ReviewOwner,
  ownerIds: string[],
  size: number,
  after: Filter<ReviewDocument>,
): Promise<Page[]> {
  const sort = { [owner]: 1, createdAt: -1, _id: -1 } as const;
  if (ownerIds.length === 1) {
    const reviews = await store.reviews
      .find({ [owner]: ownerIds[0], ...after }, { sort, limit: size + 1, batchSize: size + 1 })
      .toArray();
    return [{ _id: ownerIds[0]!, reviews }];
  }
  if (!store.capabilities.indexedSubPipelines) {
    return store.reviews
      .aggregate<Page>(
        [
          { $match: { [owner]: { $in: ownerIds }, ...after } },
          { $sort: sort },
          { $group: { _id: `$${owner}`, reviews: { $push: '$$ROOT' } } },
          { $project: { reviews: { $slice: ['$reviews', size + 1] } } },
        ],
        { batchSize: oneBatch(ownerIds.length) },
      )
      .toArray();
  }
  const pageOf = (ownerId: string) => [
    { $match: { [owner]: ownerId, ...after } },
    { $sort: sort },
    { $limit: size + 1 },
  ];
  const chunks: string[][] = [];
  for (let i = 0; i < ownerIds.length; i += OWNERS_PER_COMMAND) chunks.push(ownerIds.slice(i, i + OWNERS_PER_COMMAND));
  const rows = await Promise.all(
    chunks.map(([first, ...rest]) =>
      store.reviews
        .aggregate<ReviewDocument>(
          [
            ...pageOf(first!),
            ...rest.map((ownerId) => ({
              $unionWith: { coll: store.reviews.collectionName, pipeline: pageOf(ownerId) },
            })),
          ],
          { batchSize: oneBatch((rest.length + 1) * (size + 1)) },
        )
        .toArray(),
    ),
  );
  const byOwner = new Map<string, ReviewDocument[]>();
  for (const review of rows.flat()) byOwner.set(review[owner], [...(byOwner.get(review[owner]) ?? []), review]);
  return [...byOwner].map(([ownerId, reviews]) => ({ _id: ownerId, reviews }));
}
