import type { MongoStore } from './db.js';
import type { RatingSummary } from './models.js';

/** A first batch big enough for every row, so a batch costs one command (no getMore). */
export const oneBatch = (rows: number) => Math.max(rows + 1, 101);

const EMPTY = (): RatingSummary => ({ average: 0, count: 0, histogram: [0, 0, 0, 0, 0] });

/**
 * The rating of each product by one aggregation: a count per (product, stars)
 * over the reviews index, folded into average, count and histogram here.
 */
export async function aggregateRatings(store: MongoStore, productIds: readonly string[]): Promise<RatingSummary[]> {
  const rows = await store.reviews
    .aggregate<{ _id: { productId: string; rating: number }; count: number }>(
      [
        { $match: { productId: { $in: [...productIds] } } },
        { $group: { _id: { productId: '$productId', rating: '$rating' }, count: { $sum: 1 } } },
      ],
      { batchSize: oneBatch(productIds.length * 5) },
    )
    .toArray();
  const byProduct = new Map(productIds.map((id) => [id, EMPTY()]));
  for (const { _id, count } of rows) {
    const summary = byProduct.get(_id.productId);
    if (summary && _id.rating >= 1 && _id.rating <= 5) summary.histogram[_id.rating - 1]! += count;
  }
  return productIds.map((id) => {
    const summary = byProduct.get(id)!;
    summary.count = summary.histogram.reduce((sum, n) => sum + n, 0);
    const total = summary.histogram.reduce((sum, n, i) => sum + n * (i + 1), 0);
    summary.average = summary.count === 0 ? 0 : Math.round((total / summary.count) * 100) / 100;
    return summary;
  });
}

/** Copies fresh ratings onto the products' details, which search sorts by. */
export async function copyRatingsToDetails(store: MongoStore, productIds: readonly string[]): Promise<void> {
  if (productIds.length === 0) return;
  const ratings = await aggregateRatings(store, productIds);
  await store.productDetails.bulkWrite(
    productIds.map((productId, i) => ({
      updateOne: {
        filter: { productId },
        update: { $set: { rating: { average: ratings[i]!.average, count: ratings[i]!.count } } },
      },
    })),
  );
}
