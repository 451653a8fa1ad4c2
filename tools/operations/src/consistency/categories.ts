import { categoriesBySlugs, type DocumentReferences, type MongoStore } from '@polystore/mongo-subgraph/operations';
import type { Tallies } from './report.js';

/**
 * MongoDB product_details → categories: details are written in an existing
 * category, and a category in use cannot be deleted (deleteCategory), so
 * every category a document names exists. Reported by product id.
 */
export async function checkCategories(
  mongo: MongoStore,
  documents: readonly DocumentReferences[],
  tallies: Tallies,
): Promise<void> {
  const named = [...new Set(documents.flatMap((document) => (document.category ? [document.category] : [])))];
  if (named.length === 0) return;
  const existing = new Set((await categoriesBySlugs(mongo, named)).map((category) => category.slug));
  for (const document of documents) {
    if (document.category && !existing.has(document.category)) {
      tallies.found('detailsInMissingCategories', document.productId);
    }
  }
}
