import { aggregateRatings, type DocumentReferences, type MongoStore } from '@polystore/mongo-subgraph/operations';
import type { Tallies } from './report.js';

/**
 * MongoDB reviews → product_details: each document keeps a copy of its
 * product's rating (average and count) for search to sort by, rewritten after
 * every review change. The copy must equal the aggregate of the reviews as
 * they are; a document without a copy counts as no reviews.
 */
export async function checkRatingCopies(
  mongo: MongoStore,
  documents: readonly Pick<DocumentReferences, 'productId' | 'rating'>[],
  tallies: Tallies,
): Promise<void> {
  for (const productId of await staleRatingCopies(mongo, documents)) tallies.found('staleRatingCopies', productId);
}

/** The products among `documents` whose rating copy differs from the aggregate of their reviews (one aggregation). */
export async function staleRatingCopies(
  mongo: MongoStore,
  documents: readonly Pick<DocumentReferences, 'productId' | 'rating'>[],
): Promise<string[]> {
  const ratings = await aggregateRatings(
    mongo,
    documents.map((document) => document.productId),
  );
  return documents.flatMap((document, i) =>
    ratingCopyDiffers(document.rating, ratings[i]!) ? [document.productId] : [],
  );
}

/** Whether a document's rating copy (none: no reviews) differs from its product's rating. */
export function ratingCopyDiffers(
  copy: { average: number; count: number } | undefined,
  actual: { average: number; count: number },
): boolean {
  const { average, count } = copy ?? { average: 0, count: 0 };
  return average !== actual.average || count !== actual.count;
}
