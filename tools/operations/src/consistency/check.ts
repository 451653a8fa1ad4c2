import { Teardown, type Config, type Logger } from '@polystore/common';
import { checkDocuments } from './documents-to-products.js';
import { checkEvents } from './events.js';
import { checkObjects } from './objects-to-owners.js';
import { readPendingUploads } from './pending-uploads.js';
import { checkProductsHaveDocuments } from './products-to-documents.js';
import { Tallies, type ConsistencyReport } from './report.js';
import { checkReviews } from './reviews.js';
import { openStores } from './stores.js';

export interface CheckOptions {
  /** The stores to read (DATABASE_URL, MONGO_URL, S3_*, REDIS_URL and REDIS_KEY_PREFIX). */
  config: Config;
  log: Logger;
  /** Ids kept per kind. Default 10. */
  samples?: number;
}

/**
 * Reads the four stores and reports every reference between them that points
 * at nothing, in both directions (docs/operations.md). Read-only: it writes
 * nothing anywhere. Memory stays bounded whatever the stores hold: each store
 * is read a page or a batch at a time, and object bodies never.
 * Throws `StoreUnreachable` when a store does not answer.
 */
export async function checkConsistency({ config, log, samples = 10 }: CheckOptions): Promise<ConsistencyReport> {
  const teardown = new Teardown(log);
  try {
    const stores = await openStores(config, teardown);
    const tallies = new Tallies(samples);
    const checkedAt = new Date();
    // Events first: what is still in flight explains findings read after it.
    const inFlight = await checkEvents(stores, tallies, samples);
    log.info('checking products against their documents');
    const products = await checkProductsHaveDocuments(stores, tallies);
    log.info({ products }, 'checking documents against products, reviews and categories');
    const documents = await checkDocuments(stores, tallies);
    log.info({ documents }, 'checking reviews against products and users');
    const reviews = await checkReviews(stores, tallies);
    log.info({ reviews }, 'checking objects against their owners');
    const records = await readPendingUploads(stores.s3, tallies, checkedAt);
    const objects = await checkObjects(stores, records, tallies);
    log.info({ objects, pendingUploads: records.size }, 'consistency check done');
    return {
      checkedAt: checkedAt.toISOString(),
      clean: tallies.clean,
      findings: tallies.findings,
      leftovers: tallies.leftovers,
      scanned: { products, documents, reviews, objects, pendingUploads: records.size },
      inFlight,
    };
  } finally {
    await teardown.close();
  }
}
