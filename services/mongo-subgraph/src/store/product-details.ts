import type { FindCursor } from 'mongodb';
import type { ProductCopy } from '../product-copy.js';
import type { ProductDetailsDocument } from '../models.js';
import type { WriteSession } from './atomic.js';
import { oneBatch, type MongoStore } from './collections.js';

/**
 * Every statement on `product_details`, one document per product (unique on
 * `productId`): its details once written, and the copies search needs. Search
 * itself is `product-search.ts`; the rating copy is written by `ratings.ts`.
 */

/** The documents of these products (valid ids), in no order (the loader orders them). */
export function byProductIds(store: MongoStore, productIds: readonly string[]): Promise<ProductDetailsDocument[]> {
  return store.productDetails
    .find({ productId: { $in: [...productIds] } }, { projection: { _id: 0 }, batchSize: oneBatch(productIds.length) })
    .toArray();
}

/** How many products' details use a category (the category index). */
export function countInCategory(store: MongoStore, slug: string): Promise<number> {
  return store.productDetails.countDocuments({ category: slug });
}

/** The attributes of every product of a category, one pass over the category index. */
export function attributesInCategory(
  store: MongoStore,
  slug: string,
): FindCursor<Pick<ProductDetailsDocument, 'attributes'>> {
  return store.productDetails.find({ category: slug }, { projection: { _id: 0, attributes: 1 }, batchSize: 1000 });
}

/** What an operations check reads of a document: its product, the owner's copies, the rating copy, the category. */
export type DocumentReferences = Pick<ProductDetailsDocument, 'productId' | 'name' | 'sku' | 'rating' | 'category'>;

/** Every document's references, `batchSize` per round trip as the cursor is read (never the whole collection at once). */
export function scanReferences(store: MongoStore, batchSize: number): FindCursor<DocumentReferences> {
  return store.productDetails.find<DocumentReferences>(
    {},
    { projection: { _id: 0, productId: 1, name: 1, sku: 1, rating: 1, category: 1 }, batchSize },
  );
}

/** The details fields a write sets (and an undo puts back). */
export type DetailsFields = Required<
  Pick<ProductDetailsDocument, 'description' | 'category' | 'tags' | 'attributes' | 'updatedAt'>
>;

/**
 * Writes a product's details on its existing document (no upsert: a document
 * gone is a product deleted); the document as it was, or null when there is none.
 */
export function writeDetails(
  store: MongoStore,
  productId: string,
  fields: DetailsFields,
): Promise<ProductDetailsDocument | null> {
  return store.productDetails.findOneAndUpdate(
    { productId },
    { $set: fields, $min: { createdAt: fields.updatedAt } },
    { returnDocument: 'before', projection: { _id: 0 } },
  );
}

const DETAILS_FIELDS = ['description', 'category', 'tags', 'attributes', 'createdAt', 'updatedAt'] as const;

/** Puts a product's details back as they were before our write, unless someone wrote them since. */
export async function undoDetails(
  store: MongoStore,
  written: { productId: string; updatedAt: Date },
  before: ProductDetailsDocument,
): Promise<void> {
  const ours = { productId: written.productId, updatedAt: written.updatedAt };
  if (before.description === undefined) {
    await store.productDetails.updateOne(ours, {
      $unset: Object.fromEntries(DETAILS_FIELDS.map((field) => [field, ''])),
    });
  } else {
    await store.productDetails.updateOne(ours, {
      $set: Object.fromEntries(
        DETAILS_FIELDS.filter((field) => before[field] !== undefined).map((field) => [field, before[field]]),
      ),
    });
  }
}

/** What writing one copy did: made the document, updated it, or kept a newer copy that was there. */
export type CopyWrite = 'created' | 'updated' | 'kept';

/**
 * Writes one product's copy into its search document, the newest version
 * winning: a guarded update where the stored `productUpdatedAt` is not newer,
 * else an insert if the document is absent (`$setOnInsert`, which converges
 * under concurrent writers on every server), else — someone inserted it in
 * between — the guarded update once more. At most four commands.
 */
export async function writeCopy(store: MongoStore, { productId, ...fields }: ProductCopy): Promise<CopyWrite> {
  const notNewer = {
    productId,
    $or: [{ productUpdatedAt: { $exists: false } }, { productUpdatedAt: { $lte: fields.productUpdatedAt } }],
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    if ((await store.productDetails.updateOne(notNewer, { $set: fields })).matchedCount > 0) return 'updated';
    const inserted = await store.productDetails.updateOne(
      { productId },
      { $setOnInsert: { productId, ...fields } },
      { upsert: true },
    );
    if (inserted.upsertedCount > 0) return 'created';
  }
  return 'kept';
}

/** Deletes a product's document (details and search copies); whether there was one. */
export async function remove(store: MongoStore, productId: string, session?: WriteSession): Promise<boolean> {
  return (await store.productDetails.deleteOne({ productId }, { session })).deletedCount > 0;
}

/** Deletes the documents of these products. */
export async function removeMany(store: MongoStore, productIds: readonly string[]): Promise<void> {
  await store.productDetails.deleteMany({ productId: { $in: [...productIds] } });
}
