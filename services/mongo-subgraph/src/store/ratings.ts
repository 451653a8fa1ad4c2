import type { RatingSummary } from '../models.js';
import type { WriteSession } from './atomic.js';
import { oneBatch, type MongoStore } from './collections.js';

const EMPTY = (): RatingSummary => ({ average: 0, count: 0, histogram: [0, 0, 0, 0, 0] });

type StarCount = { _id: { productId: string; rating: number }; count: number };
const COUNT_STARS = { $group: { _id: { productId: '$productId', rating: '$rating' }, count: { $sum: 1 } } };

/** Counts per (product, stars) folded into each product's average, count and histogram. */
function foldRatings(rows: readonly StarCount[], byProduct: Map<string, RatingSummary>, addMissing: boolean) {
  for (const { _id, count } of rows) {
    let summary = byProduct.get(_id.productId);
    if (!summary && addMissing) byProduct.set(_id.productId, (summary = EMPTY()));
    if (summary && _id.rating >= 1 && _id.rating <= 5) summary.histogram[_id.rating - 1]! += count;
  }
  for (const summary of byProduct.values()) {
    summary.count = summary.histogram.reduce((sum, n) => sum + n, 0);
    const total = summary.histogram.reduce((sum, n, i) => sum + n * (i + 1), 0);
    summary.average = summary.count === 0 ? 0 : Math.round((total / summary.count) * 100) / 100;
  }
  return byProduct;
}

/**
 * The rating of each product by one aggregation: a count per (product, stars)
 * over the reviews index, folded into average, count and histogram here.
 */
export async function aggregateRatings(
  store: MongoStore,
  productIds: readonly string[],
  session?: WriteSession,
): Promise<RatingSummary[]> {
  const rows = await store.reviews
    .aggregate<StarCount>([{ $match: { productId: { $in: [...productIds] } } }, COUNT_STARS], {
      batchSize: oneBatch(productIds.length * 5),
      session,
    })
    .toArray();
  const byProduct = foldRatings(rows, new Map(productIds.map((id) => [id, EMPTY()])), false);
  return productIds.map((id) => byProduct.get(id)!);
}

/**
 * The rating of every reviewed product, from one pass over all reviews (no
 * list of ids to match: what a restore checks every copy against). Memory
 * holds one summary per reviewed product.
 */
export async function aggregateAllRatings(store: MongoStore): Promise<Map<string, RatingSummary>> {
  const rows: StarCount[] = [];
  for await (const row of store.reviews.aggregate<StarCount>([COUNT_STARS], { batchSize: 10_000 })) rows.push(row);
  return foldRatings(rows, new Map(), true);
}

/** Copies fresh ratings onto the products' details, which search sorts by (in the transaction of the review write, if any). */
export async function copyRatingsToDetails(
  store: MongoStore,
  productIds: readonly string[],
  session?: WriteSession,
): Promise<void> {
  if (productIds.length === 0) return;
  const ratings = await aggregateRatings(store, productIds, session);
  await store.productDetails.bulkWrite(
    productIds.map((productId, i) => ({
      updateOne: {
        filter: { productId },
        update: { $set: { rating: { average: ratings[i]!.average, count: ratings[i]!.count } } },
      },
    })),
    { session },
  );
}
