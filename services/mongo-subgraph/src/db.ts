import {
  MongoClient,
  MongoServerSelectionError,
  MongoNetworkError,
  type Collection,
  type CreateIndexesOptions,
  type Db,
  type IndexSpecification,
} from 'mongodb';
import { conflict, serviceUnavailable, type Config, type Teardown } from '@polystore/common';
import type { BackfillDocument, CategoryDocument, ProductDetailsDocument, ReviewDocument } from './models.js';

/** What the connected server can do that the embedded one cannot (docs/mongo.md lists the differences). */
export interface MongoCapabilities {
  /**
   * Aggregation sub-pipelines (`$unionWith`) that each read an index range with
   * a limit: MongoDB 4.4+. The embedded server runs them too, but scans the
   * collection for each one, so there one `$group` over a single scan is cheaper.
   */
  indexedSubPipelines: boolean;
}

export interface MongoStore {
  client: MongoClient;
  db: Db;
  capabilities: MongoCapabilities;
  categories: Collection<CategoryDocument>;
  productDetails: Collection<ProductDetailsDocument>;
  reviews: Collection<ReviewDocument>;
  backfills: Collection<BackfillDocument>;
}

const COLLECTIONS = {
  categories: 'categories',
  productDetails: 'product_details',
  reviews: 'reviews',
  backfills: 'backfills',
} as const;

/**
 * Every index, by the query path it serves (docs/mongo.md lists the same).
 * Unique indexes state the rule for a real MongoDB; the writes keep the rule
 * on servers that do not enforce them (upsert on the natural key, or an `_id`
 * derived from it).
 */
export const INDEXES: {
  collection: keyof typeof COLLECTIONS;
  key: IndexSpecification;
  options: CreateIndexesOptions & { name: string };
  serves: string;
}[] = [
  {
    collection: 'categories',
    key: { slug: 1 },
    options: { unique: true, name: 'categories_slug' },
    serves: 'category(slug), validation',
  },
  {
    collection: 'productDetails',
    key: { productId: 1 },
    options: { unique: true, name: 'product_details_product_id' },
    serves: 'Product.details, events by product',
  },
  {
    collection: 'productDetails',
    key: { category: 1, productCreatedAt: -1 },
    options: { name: 'product_details_category_newest' },
    serves: 'searchProducts(category, sort: NEWEST)',
  },
  {
    collection: 'productDetails',
    key: { category: 1, 'rating.average': -1 },
    options: { name: 'product_details_category_rating' },
    serves: 'searchProducts(category, sort: RATING)',
  },
  {
    collection: 'productDetails',
    key: { tags: 1 },
    options: { name: 'product_details_tags' },
    serves: 'searchProducts(tags)',
  },
  {
    collection: 'reviews',
    key: { productId: 1, createdAt: -1, _id: -1 },
    options: { name: 'reviews_product_newest' },
    serves: 'Product.reviews, Product.rating, ProductDeleted',
  },
  {
    collection: 'reviews',
    key: { userId: 1, createdAt: -1, _id: -1 },
    options: { name: 'reviews_user_newest' },
    serves: 'User.reviews, UserDeleted',
  },
  {
    collection: 'backfills',
    key: { name: 1 },
    options: { unique: true, name: 'backfills_name' },
    serves: 'search catch-up progress',
  },
];

/** Creates every index; createIndex with the same name and key is a no-op, so start-up can run it every time. */
export async function ensureIndexes(store: MongoStore): Promise<void> {
  for (const { collection, key, options } of INDEXES) await store[collection].createIndex(key, options);
}

/**
 * Asks the server to explain a review page's query (after the indexes exist):
 * a server that plans it as an index scan reads indexes in sub-pipelines too.
 * The embedded server has no `explain` (it also answers `buildInfo` as if it
 * were MongoDB 7.0, so the version says nothing).
 */
async function detectCapabilities(db: Db): Promise<MongoCapabilities> {
  const explained = await db
    .command({
      explain: { find: COLLECTIONS.reviews, filter: { productId: '' }, sort: { createdAt: -1 }, limit: 1 },
      verbosity: 'queryPlanner',
    })
    .catch(() => null);
  const plan = JSON.stringify(explained?.queryPlanner?.winningPlan ?? null);
  return { indexedSubPipelines: /IXSCAN/.test(plan) };
}

/** Connects, finds what the server can do, and declares the indexes every access path needs. */
export async function connectMongo(mongo: Config['mongo'], teardown: Teardown): Promise<MongoStore> {
  if (!mongo.url) throw new Error('MONGO_URL is not set');
  const client = new MongoClient(mongo.url, {
    serverSelectionTimeoutMS: mongo.serverSelectionTimeoutMs,
    appName: 'polystore-mongo-subgraph',
    maxPoolSize: 20,
    // Tests count commands (`commandStarted`); a listener-free client pays nothing for it.
    monitorCommands: true,
    // Heartbeats by polling `hello`. The default on Node, streaming (`moreToCome`), is not
    // understood by the embedded server: its heartbeat fails, the driver clears the pool and
    // in-flight operations fail. Polling works the same on a real MongoDB (docs/mongo.md).
    serverMonitoringMode: 'poll',
  });
  await client.connect();
  teardown.add('mongo client', () => client.close());
  const db = client.db(mongo.database);
  const store: MongoStore = {
    client,
    db,
    capabilities: { indexedSubPipelines: false },
    categories: db.collection(COLLECTIONS.categories),
    productDetails: db.collection(COLLECTIONS.productDetails),
    reviews: db.collection(COLLECTIONS.reviews),
    backfills: db.collection(COLLECTIONS.backfills),
  };
  await ensureIndexes(store);
  store.capabilities = await detectCapabilities(db);
  return store;
}

/** Translates driver errors into the API's codes; anything else is rethrown and masked. */
export async function withMongoErrors<T>(
  work: () => Promise<T>,
  {
    duplicate,
  }: { /** The error for a duplicate key (code 11000); default a generic CONFLICT. */ duplicate?: () => Error } = {},
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof MongoServerSelectionError || err instanceof MongoNetworkError) {
      throw serviceUnavailable('the document store is unavailable');
    }
    if ((err as { code?: number }).code === 11000) {
      throw duplicate?.() ?? conflict('a document with these values already exists');
    }
    throw err;
  }
}
