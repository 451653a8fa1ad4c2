import type { CategoryDocument } from '../models.js';
import type { MongoStore } from './collections.js';

/** Every statement on `categories` (unique on `slug`, the natural key). */

/** The categories with these slugs, in no order (the Category loader orders them). */
export function bySlugs(store: MongoStore, slugs: readonly string[]): Promise<CategoryDocument[]> {
  return store.categories.find({ slug: { $in: [...slugs] } }, { projection: { _id: 0 } }).toArray();
}

/** The category as MongoDB holds it now, past every cache: what a write re-checks against. */
export function bySlug(store: MongoStore, slug: string): Promise<CategoryDocument | null> {
  return store.categories.findOne({ slug }, { projection: { _id: 0 } });
}

/** Up to `limit` categories by slug. */
export function list(store: MongoStore, limit: number): Promise<CategoryDocument[]> {
  return store.categories
    .find({}, { projection: { _id: 0 } })
    .sort({ slug: 1 })
    .limit(limit)
    .toArray();
}

/** Writes a category on its slug (concurrent writers converge on one document); the document it replaced, if any. */
export function upsert(store: MongoStore, category: CategoryDocument): Promise<CategoryDocument | null> {
  return store.categories.findOneAndUpdate(
    { slug: category.slug },
    { $set: category },
    { upsert: true, returnDocument: 'before', projection: { _id: 0 } },
  );
}

/** Deletes a category; the document deleted, or null when there was none. */
export function remove(store: MongoStore, slug: string): Promise<CategoryDocument | null> {
  return store.categories.findOneAndDelete({ slug }, { projection: { _id: 0 } });
}

/** Puts a deleted category back, unless one with its slug was written since. */
export async function putBack(store: MongoStore, deleted: CategoryDocument): Promise<void> {
  await store.categories.updateOne({ slug: deleted.slug }, { $setOnInsert: deleted }, { upsert: true });
}

/** Puts a category back as it was before our write, unless someone wrote it since. */
export async function restore(
  store: MongoStore,
  written: CategoryDocument,
  before: CategoryDocument | null,
): Promise<void> {
  const ours = { slug: written.slug, updatedAt: written.updatedAt };
  if (before) await store.categories.updateOne(ours, { $set: before });
  else await store.categories.deleteOne(ours);
}
