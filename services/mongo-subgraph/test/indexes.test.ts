import { randomUUID } from 'node:crypto';
import type { Document } from 'mongodb';
import { startMongoTestBed, type MongoTestBed } from './support/test-bed.js';
import type { MongoStore } from '../src/store/collections.js';
import { ensureIndexes, INDEXES } from '../src/store/indexes.js';

/**
 * Every query path the resolvers and consumers run, with the filter and sort
 * they send. Each must lead with the key of a declared index; on a server
 * that answers `explain` (real MongoDB) the winning plan must use an index.
 */
const productId = randomUUID();
const userId = randomUUID();
const QUERY_PATHS: { path: string; collection: keyof typeof COLLECTIONS; filter: Document; sort?: Document }[] = [
  { path: 'Product.details', collection: 'productDetails', filter: { productId: { $in: [productId] } } },
  {
    path: 'Product.reviews',
    collection: 'reviews',
    filter: { productId: { $in: [productId] } },
    sort: { productId: 1, createdAt: -1, _id: -1 },
  },
  { path: 'Product.rating', collection: 'reviews', filter: { productId: { $in: [productId] } } },
  {
    path: 'User.reviews',
    collection: 'reviews',
    filter: { userId: { $in: [userId] } },
    sort: { userId: 1, createdAt: -1, _id: -1 },
  },
  { path: 'review(id)', collection: 'reviews', filter: { _id: { $in: [] } } },
  { path: 'category(slug)', collection: 'categories', filter: { slug: { $in: ['laptops'] } } },
  {
    path: 'searchProducts(category)',
    collection: 'productDetails',
    filter: { category: 'laptops' },
    sort: { productCreatedAt: -1 },
  },
  { path: 'searchProducts(tags)', collection: 'productDetails', filter: { tags: { $all: ['travel'] } } },
  { path: 'search documents by product', collection: 'productDetails', filter: { productId } },
  {
    path: 'deleteCategory, upsertCategory re-check',
    collection: 'productDetails',
    filter: { category: 'laptops' },
  },
  { path: 'search catch-up progress', collection: 'backfills', filter: { name: 'product-search-documents' } },
];
const COLLECTIONS = { categories: 1, productDetails: 1, reviews: 1, backfills: 1 } as const;

let bed: MongoTestBed;
let store: MongoStore;
beforeAll(async () => {
  bed = await startMongoTestBed();
  store = bed.subgraph.store;
});
afterAll(() => bed?.dispose());

const keyOf = (index: { key: Document }) => Object.keys(index.key);

describe('indexes', () => {
  it('creates every declared index at start-up, and creating them again changes nothing', async () => {
    const listed = async () =>
      Object.fromEntries(
        await Promise.all(
          (Object.keys(COLLECTIONS) as (keyof typeof COLLECTIONS)[]).map(async (collection) => [
            collection,
            (await store[collection].listIndexes().toArray()).map((index) => index.name as string).sort(),
          ]),
        ),
      );
    const before = await listed();
    for (const collection of Object.keys(COLLECTIONS) as (keyof typeof COLLECTIONS)[]) {
      const declared = INDEXES.filter((index) => index.collection === collection).map((index) => index.options.name);
      expect(before[collection]).toEqual(['_id_', ...declared].sort());
    }
    await ensureIndexes(store);
    expect(await listed()).toEqual(before);
  });

  it.each(QUERY_PATHS)('$path leads with the key of an index', async ({ collection, filter, sort }) => {
    const leading = Object.keys(filter)[0]!;
    const indexes = [{ key: { _id: 1 } }, ...INDEXES.filter((index) => index.collection === collection)];
    const usable = indexes.filter((index) => keyOf(index as { key: Document })[0] === leading);
    expect(usable.length).toBeGreaterThan(0);
    if (sort) {
      // The sort follows the index's key order, so no in-memory sort is needed on a real server.
      const sortKeys = Object.keys(sort).filter((field) => field !== leading);
      expect(
        usable.some((index) => {
          const fields = keyOf(index as { key: Document }).filter((field) => field !== leading);
          return sortKeys.every((field, i) => fields[i] === field);
        }),
      ).toBe(true);
    }
    const explained = await store.db
      .command({ explain: { find: store[collection].collectionName, filter, sort }, verbosity: 'queryPlanner' })
      .catch((err: Error) => err);
    if (explained instanceof Error) {
      // The embedded server has no `explain` (docs/mongo.md); a real MongoDB must answer it.
      expect(process.env.MONGO_URL).toBeUndefined();
      expect(explained.message).toMatch(/explain/);
      return;
    }
    expect(JSON.stringify(explained.queryPlanner.winningPlan)).toMatch(/IXSCAN|IDHACK|EXPRESS/);
  });
});
