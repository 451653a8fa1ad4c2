import type { BackfillDocument } from '../models.js';
import type { MongoStore } from './collections.js';

/** Every statement on `backfills`: the progress of one-time catch-ups, one document per name. */

/** A catch-up's progress, or null before its first page. */
export function progressOf(store: MongoStore, name: string): Promise<BackfillDocument | null> {
  return store.backfills.findOne({ name });
}

/** Stores the cursor after a page; `complete` marks the last page, so the catch-up never runs again. */
export async function saveProgress(
  store: MongoStore,
  name: string,
  after: string | null,
  complete: boolean,
): Promise<void> {
  const now = new Date();
  await store.backfills.updateOne(
    { name },
    { $set: { name, after, updatedAt: now, ...(complete ? { completedAt: now } : {}) } },
    { upsert: true },
  );
}
