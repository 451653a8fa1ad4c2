import { scanDocumentReferences } from '@polystore/mongo-subgraph/operations';
import { BATCH_SIZE, inBatches, missingIn } from './batches.js';
import { checkCategories } from './categories.js';
import { checkRatingCopies } from './ratings.js';
import type { Stores } from './stores.js';
import type { Tallies } from './report.js';

/**
 * MongoDB → PostgreSQL, and what each document references inside MongoDB:
 * reads every product_details document (its references only), a batch at a
 * time, and checks that its product exists (a deleted product's document is
 * removed on ProductDeleted), that its rating copy matches the reviews, and
 * that its category exists. Returns how many documents were read.
 */
export async function checkDocuments(stores: Stores, tallies: Tallies): Promise<number> {
  let read = 0;
  for await (const documents of inBatches(scanDocumentReferences(stores.mongo, BATCH_SIZE))) {
    const missing = await missingIn(
      stores.sql,
      'products',
      documents.map((document) => document.productId),
    );
    for (const document of documents) {
      if (missing.has(document.productId)) tallies.found('documentsOfMissingProducts', document.productId);
    }
    await checkRatingCopies(stores.mongo, documents, tallies);
    await checkCategories(stores.mongo, documents, tallies);
    read += documents.length;
  }
  return read;
}
