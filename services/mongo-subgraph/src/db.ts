import { MongoClient, MongoServerSelectionError, MongoNetworkError, type Collection, type Db } from 'mongodb';
import { conflict, serviceUnavailable, type Config, type Teardown } from '@polystore/common';
import type { ProductDetailsDocument } from './models.js';

export interface MongoStore {
  client: MongoClient;
  db: Db;
  productDetails: Collection<ProductDetailsDocument>;
}

/**
 * Connects and declares the indexes every access path needs. The unique index
 * on productId is what makes "one details document per product" hold on a
 * real MongoDB; the upsert by productId keeps it so on servers that do not
 * enforce secondary unique indexes.
 */
export async function connectMongo(mongo: Config['mongo'], teardown: Teardown): Promise<MongoStore> {
  if (!mongo.url) throw new Error('MONGO_URL is not set');
  const client = new MongoClient(mongo.url, {
    serverSelectionTimeoutMS: mongo.serverSelectionTimeoutMs,
    appName: 'polystore-mongo-subgraph',
    maxPoolSize: 20,
  });
  await client.connect();
  teardown.add('mongo client', () => client.close());
  const db = client.db(mongo.database);
  const productDetails = db.collection<ProductDetailsDocument>('product_details');
  await productDetails.createIndex({ productId: 1 }, { unique: true, name: 'product_details_product_id' });
  await productDetails.createIndex({ category: 1 }, { name: 'product_details_category' });
  await productDetails.createIndex({ tags: 1 }, { name: 'product_details_tags' });
  return { client, db, productDetails };
}

/** Translates driver errors into the API's codes; anything else is rethrown and masked. */
export async function withMongoErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof MongoServerSelectionError || err instanceof MongoNetworkError) {
      throw serviceUnavailable('the document store is unavailable');
    }
    if ((err as { code?: number }).code === 11000) throw conflict('a document with these values already exists');
    throw err;
  }
}
