import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import type { Config, Teardown } from '@polystore/common';
import { COLLECTIONS, type MongoCapabilities, type MongoStore } from './collections.js';
import { detectDeployment } from './deployment.js';
import { ensureIndexes } from './indexes.js';

/**
 * Asks the server to explain a review page's query (after the indexes exist):
 * a server that plans it as an index scan reads indexes in sub-pipelines too.
 * The embedded server has no `explain` (it also answers `buildInfo` as if it
 * were MongoDB 7.0, so the version says nothing).
 */
async function detectIndexedSubPipelines(db: Db): Promise<boolean> {
  const explained = await db
    .command({
      explain: { find: COLLECTIONS.reviews, filter: { productId: '' }, sort: { createdAt: -1 }, limit: 1 },
      verbosity: 'queryPlanner',
    })
    .catch(() => null);
  const plan = JSON.stringify(explained?.queryPlanner?.winningPlan ?? null);
  return /IXSCAN/.test(plan);
}

/** What the connected server can do: `hello` says whether it runs transactions, `explain` how it plans sub-pipelines. */
async function detectCapabilities(db: Db): Promise<MongoCapabilities> {
  const { transactions } = await detectDeployment(db);
  return { transactions, indexedSubPipelines: await detectIndexedSubPipelines(db) };
}

/**
 * The driver's settings from the config. These win over the same options in
 * MONGO_URL, which names the servers (a replica set's members and
 * `replicaSet`), credentials and TLS. Reads go to the primary: the cache is
 * filled from them and the checks after a write (docs/mongo.md) must see it;
 * only the handle for search uses MONGO_READ_PREFERENCE.
 */
export function clientOptions(mongo: Config['mongo'], appName: string): MongoClientOptions {
  return {
    serverSelectionTimeoutMS: mongo.serverSelectionTimeoutMs,
    appName,
    maxPoolSize: 20,
    writeConcern: {
      w: mongo.writeConcern === 'majority' ? 'majority' : Number(mongo.writeConcern),
      wtimeoutMS: mongo.writeConcernTimeoutMs,
    },
    readPreference: 'primary',
    // The driver's defaults, said here because the product relies on them: a write or read
    // interrupted by a primary's step-down is sent once more to the new primary (replica sets).
    retryWrites: true,
    retryReads: true,
    // Tests count commands (`commandStarted`); a listener-free client pays nothing for it.
    monitorCommands: true,
    // Heartbeats by polling `hello`. The default on Node, streaming (`moreToCome`), is not
    // understood by the embedded server: its heartbeat fails, the driver clears the pool and
    // in-flight operations fail. Polling works the same on a real MongoDB (docs/mongo.md).
    serverMonitoringMode: 'poll',
  };
}

/**
 * Connects and names the collections, writing nothing: what readers outside
 * the service (operations tools) open. `appName` tells them apart in the server's logs.
 */
export async function openMongo(
  mongo: Config['mongo'],
  teardown: Teardown,
  appName = 'polystore-mongo-subgraph',
): Promise<MongoStore> {
  if (!mongo.url) throw new Error('MONGO_URL is not set');
  const client = new MongoClient(mongo.url, clientOptions(mongo, appName));
  await client.connect();
  teardown.add('mongo client', () => client.close());
  const db = client.db(mongo.database);
  return {
    client,
    db,
    capabilities: { indexedSubPipelines: false, transactions: false },
    categories: db.collection(COLLECTIONS.categories),
    productDetails: db.collection(COLLECTIONS.productDetails),
    reviews: db.collection(COLLECTIONS.reviews),
    backfills: db.collection(COLLECTIONS.backfills),
    productDetailsForSearch: db.collection(COLLECTIONS.productDetails, { readPreference: mongo.readPreference }),
  };
}

/** Connects, finds what the server can do, and declares the indexes every access path needs. */
export async function connectMongo(mongo: Config['mongo'], teardown: Teardown): Promise<MongoStore> {
  const store = await openMongo(mongo, teardown);
  await ensureIndexes(store);
  store.capabilities = await detectCapabilities(store.db);
  return store;
}

/** Whether the server answers: the service's readiness check. */
export const pingMongo = (store: MongoStore) => store.db.command({ ping: 1 });
