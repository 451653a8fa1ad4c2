import { BSON, type Document } from 'mongodb';
import { aggregateAllRatings, copyRatingsToDetails, type MongoStore } from '@polystore/mongo-subgraph/operations';
import type { Progress } from '../backup/progress.js';
import { ratingCopyDiffers } from '../consistency/ratings.js';
import type { SetReader } from './set-reader.js';

/** Documents inserted per round trip. */
const BATCH = 1000;

/** Collections of the database holding at least one document (`system.*` aside). */
export async function mongoDocumentsPresent(store: MongoStore): Promise<string[]> {
  const names = (await store.db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => String(name));
  const filled: string[] = [];
  for (const name of names.filter((name) => !name.startsWith('system.'))) {
    if (await store.db.collection(name).findOne({}, { projection: { _id: 1 } })) filled.push(name);
  }
  return filled;
}

/**
 * The documents of a `.bson` file, one at a time: each is its length (int32,
 * little-endian) then its bytes. Decoded keeping BSON's own types (an int32
 * stays one, a double stays one), so each document is written back as it was.
 */
async function* documentsIn(set: SetReader, path: string): AsyncGenerator<Document> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of set.open(path)) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    let offset = 0;
    while (pending.length - offset >= 4) {
      const size = pending.readInt32LE(offset);
      if (size < 5) throw new Error(`${path}: a document of ${size} bytes at byte ${offset}`);
      if (pending.length - offset < size) break;
      yield BSON.deserialize(pending.subarray(offset, offset + size), { promoteValues: false, bsonRegExp: true });
      offset += size;
    }
    pending = pending.subarray(offset);
  }
  if (pending.length > 0) throw new Error(`${path} ends inside a document`);
}

/** `<name>.metadata.json` as the backup wrote it: the collection's options (validator) and indexes. */
async function metadataOf(set: SetReader, name: string): Promise<{ options: Document; indexes: Document[] }> {
  let text = '';
  for await (const chunk of set.open(`mongodb/${name}.metadata.json`)) text += String(chunk);
  const metadata = BSON.EJSON.parse(text, { relaxed: false }) as { options?: Document; indexes?: Document[] };
  return { options: metadata.options ?? {}, indexes: metadata.indexes ?? [] };
}

/**
 * Every collection of the set, recreated with its options (validators) and
 * indexes, then its documents inserted in the order they were copied.
 * Collections already there (empty ones a service created, or all of them
 * with `replace`) are dropped first. Then the rating copies that differ from
 * their product's reviews are rewritten: the copies of `reviews` and
 * `product_details` were taken at different moments, so a review written
 * between them leaves the copy one review off.
 */
export async function restoreMongo(
  store: MongoStore,
  set: SetReader,
  progress: Progress,
  step: (name: string, work: () => Promise<unknown>) => Promise<void>,
): Promise<void> {
  const existing = new Set(
    (await store.db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => String(name)),
  );
  for (const name of existing) if (!name.startsWith('system.')) await store.db.dropCollection(name);
  for (const { name, type, documents } of set.manifest.stores.mongodb.collections) {
    if (type === 'collection')
      await step(`MongoDB: ${name}`, () => restoreCollection(store, set, progress, name, documents));
  }
  await step('MongoDB: rating copies', () => recomputeRatings(store));
}

/** One collection: created with its options and indexes, then its documents in the order copied. */
async function restoreCollection(
  store: MongoStore,
  set: SetReader,
  progress: Progress,
  name: string,
  documents: number,
) {
  const { options, indexes } = await metadataOf(set, name);
  const collection = await store.db.createCollection(name, options);
  const specs = indexes.filter((index) => index.name !== '_id_');
  if (specs.length > 0) {
    await collection.createIndexes(
      specs.map(({ v: _version, ns: _namespace, key, ...rest }) => ({ key, ...rest }) as { key: Document }),
    );
  }
  const bar = progress.bar(`mongodb ${name}`, documents);
  let batch: Document[] = [];
  let inserted = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    inserted += (await collection.insertMany(batch, { ordered: true })).insertedCount;
    for (let i = 0; i < batch.length; i++) bar.increment();
    batch = [];
  };
  for await (const document of documentsIn(set, `mongodb/${name}.bson`)) {
    batch.push(document);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  bar.stop();
  if (inserted !== documents)
    throw new Error(`collection ${name}: ${inserted} documents inserted, the set holds ${documents}`);
}

/**
 * Rewrites the rating copies that differ from their product's reviews: every
 * rating from one pass over the reviews, then the documents read in batches
 * and only the stale ones rewritten.
 */
async function recomputeRatings(store: MongoStore): Promise<void> {
  const ratings = await aggregateAllRatings(store);
  const none = { average: 0, count: 0 };
  const cursor = store.productDetails.find({}, { projection: { productId: 1, rating: 1 }, batchSize: BATCH });
  let stale: string[] = [];
  for await (const { productId, rating } of cursor) {
    if (ratingCopyDiffers(rating, ratings.get(String(productId)) ?? none)) stale.push(String(productId));
    if (stale.length < BATCH) continue;
    await copyRatingsToDetails(store, stale);
    stale = [];
  }
  await copyRatingsToDetails(store, stale);
}
