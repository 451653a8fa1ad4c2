import { scanReviewReferences } from '@polystore/mongo-subgraph/operations';
import { BATCH_SIZE, inBatches, missingIn } from './batches.js';
import type { Stores } from './stores.js';
import type { Tallies } from './report.js';

/**
 * MongoDB → PostgreSQL: every review's product and author exist (a product's
 * and a user's reviews go on ProductDeleted and UserDeleted; a review added
 * while its product or author is deleted removes itself). Reported by review id.
 * Returns how many reviews were read.
 */
export async function checkReviews({ sql, mongo }: Stores, tallies: Tallies): Promise<number> {
  let read = 0;
  for await (const reviews of inBatches(scanReviewReferences(mongo, BATCH_SIZE))) {
    const [products, users] = await Promise.all([
      missingIn(
        sql,
        'products',
        reviews.map((review) => review.productId),
      ),
      missingIn(
        sql,
        'users',
        reviews.map((review) => review.userId),
      ),
    ]);
    for (const review of reviews) {
      if (products.has(review.productId)) tallies.found('reviewsOfMissingProducts', review.id);
      if (users.has(review.userId)) tallies.found('reviewsByMissingUsers', review.id);
    }
    read += reviews.length;
  }
  return read;
}
