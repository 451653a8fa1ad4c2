import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, Teardown } from '@polystore/common';
import type { ProductCopies } from './product-copy.js';
import { dropDocumentsOfGoneProducts, writeProductCopies } from './search-documents.js';
import { progressOf, saveProgress } from './store/backfills.js';
import type { MongoStore } from './store/collections.js';

/** The catch-up's name in `backfills`, where its progress is kept. */
export const SEARCH_CATCH_UP = 'product-search-documents';
/** Bounds: pages per run (100 products each: ten million products), runs per start-up, and the wait between runs. */
const MAX_PAGES = 100_000;
const MAX_RUNS = 120;
const RETRY_AFTER_MS = 5_000;

/**
 * Gives every product the owner already has a search document: products
 * created before ProductCreated existed, or whose events left the capped
 * stream, or that predate this consumer group, are never announced again.
 * Pages through the owner's `products` list (newest first) and writes each
 * page's copies; the newest version wins, so it cannot undo a fresher event.
 * Its cursor is stored after each page, so a restart resumes; once complete
 * it never runs again on this database. Products created meanwhile come
 * through their ProductCreated events (the group reads from the oldest event).
 */
export async function catchUpSearchDocuments(
  store: MongoStore,
  productCopies: ProductCopies,
  signal: AbortSignal,
): Promise<{ products: number; complete: boolean }> {
  const state = await progressOf(store, SEARCH_CATCH_UP);
  if (state?.completedAt) return { products: 0, complete: true };
  let after = state?.after ?? null;
  let products = 0;
  for (let page = 0; page < MAX_PAGES && !signal.aborted; page++) {
    const { copies, endCursor, hasNextPage } = await productCopies.list(after);
    const created = await writeProductCopies(store, copies);
    await dropDocumentsOfGoneProducts(store, productCopies, created);
    products += copies.length;
    after = endCursor ?? after;
    await saveProgress(store, SEARCH_CATCH_UP, after, !hasNextPage);
    if (!hasNextPage) return { products, complete: true };
  }
  return { products, complete: false };
}

/**
 * Runs the catch-up in the background at start-up (it must not hold back
 * readiness), again after a failure (the owner may start after us), bounded,
 * and stops it with the service. Resolves when it is done or given up.
 */
export function startSearchCatchUp(
  { store, productCopies }: { store: MongoStore; productCopies: ProductCopies },
  { log, teardown }: { log: Logger; teardown: Teardown },
): Promise<void> {
  const controller = new AbortController();
  const run = async () => {
    for (let attempt = 1; attempt <= MAX_RUNS && !controller.signal.aborted; attempt++) {
      try {
        const { products, complete } = await catchUpSearchDocuments(store, productCopies, controller.signal);
        if (products > 0) log.info({ products, complete }, 'caught up search documents with the product owner');
        return;
      } catch (err) {
        if (controller.signal.aborted) return;
        // At start-up the owner is often not up yet: only repeated failures are worth a warning.
        const level = attempt < 3 ? 'debug' : 'warn';
        log[level]({ err, attempt }, 'search catch-up failed; it resumes where it stopped');
        await sleep(RETRY_AFTER_MS, undefined, { signal: controller.signal }).catch(() => undefined);
      }
    }
  };
  const done = run();
  teardown.add('search catch-up', async () => {
    controller.abort();
    await done;
  });
  return done;
}
