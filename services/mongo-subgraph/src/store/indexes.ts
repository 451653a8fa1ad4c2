import type { CreateIndexesOptions, IndexSpecification } from 'mongodb';
import type { COLLECTIONS, MongoStore } from './collections.js';

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
