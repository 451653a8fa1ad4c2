import type { Collection, Db, MongoClient } from 'mongodb';
import type { BackfillDocument, CategoryDocument, ProductDetailsDocument, ReviewDocument } from '../models.js';

/** What the connected server can do that the embedded one cannot (docs/mongo.md lists the differences). */
export interface MongoCapabilities {
  /**
   * Aggregation sub-pipelines (`$unionWith`) that each read an index range with
   * a limit: MongoDB 4.4+. The embedded server runs them too, but scans the
   * collection for each one, so there one `$group` over a single scan is cheaper.
   */
  indexedSubPipelines: boolean;
  /**
   * Multi-document transactions that the server really runs (and rolls back):
   * a replica set or mongos, as `hello` reports it (`deployment.ts`). The
   * embedded server is a standalone: it accepts transactions but never rolls
   * them back, so there writes go statement by statement (`atomic.ts`).
   */
  transactions: boolean;
}

/** The connected database and its typed collections; only the modules in `store/` call them. */
export interface MongoStore {
  client: MongoClient;
  db: Db;
  capabilities: MongoCapabilities;
  categories: Collection<CategoryDocument>;
  productDetails: Collection<ProductDetailsDocument>;
  reviews: Collection<ReviewDocument>;
  backfills: Collection<BackfillDocument>;
  /** `product_details` for reads that tolerate lag (search), with MONGO_READ_PREFERENCE; every other handle reads the primary. */
  productDetailsForSearch: Collection<ProductDetailsDocument>;
}

/** The collection behind each of the store's names. */
export const COLLECTIONS = {
  categories: 'categories',
  productDetails: 'product_details',
  reviews: 'reviews',
  backfills: 'backfills',
} as const;

/** A first batch big enough for every row, so a batch costs one command (no getMore). */
export const oneBatch = (rows: number) => Math.max(rows + 1, 101);
