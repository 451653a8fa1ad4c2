import { createRedisClient, redisTopology, type Config, type RedisClient, type Teardown } from '@polystore/common';
import { createDataSource } from '@polystore/sql-subgraph/operations';
import { openMongo, pingMongo, type MongoStore } from '@polystore/mongo-subgraph/operations';
import { createS3Store, pingBucket, type S3Store } from '@polystore/storage-subgraph/operations';

/** The four stores, open for reading, each through its subgraph's store layer (Redis directly: the event stream). */
export interface Stores {
  sql: ReturnType<typeof createDataSource>;
  mongo: MongoStore;
  s3: S3Store;
  /** Null when no REDIS_URL is configured: the services then keep events in the outbox. */
  redis: RedisClient | null;
  keyPrefix: string;
}

/** A store that does not answer: the check cannot run (exit code 2). */
export class StoreUnreachable extends Error {
  override readonly name = 'StoreUnreachable';
  constructor(
    readonly store: string,
    reason: string,
  ) {
    super(`${store} cannot be reached: ${reason}`);
  }
}

/** Runs `open`; any failure means the store cannot be read, said in one line. */
export async function reach<T>(store: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    const { message, name } = err as Error;
    throw new StoreUnreachable(store, message || name);
  }
}

const APP_NAME = 'polystore-operations';

/** MongoDB, opened without the service's index creation and asked to answer once. */
export const reachMongo = (config: Config, teardown: Teardown): Promise<MongoStore> =>
  reach('MongoDB', async () => {
    const store = await openMongo(config.mongo, teardown, APP_NAME);
    await pingMongo(store);
    return store;
  });

/** The bucket, asked to answer once. */
export const reachS3 = (config: Config, teardown: Teardown): Promise<S3Store> =>
  reach('S3', async () => {
    const store = createS3Store(config, teardown);
    await pingBucket(store);
    return store;
  });

/** Redis as the default user of REDIS_URL (null without one), asked to answer once; commands fail at once when it is away. */
export async function reachRedis(config: Config, teardown: Teardown): Promise<RedisClient | null> {
  const redisUrl = config.redis.url;
  if (!redisUrl) return null;
  return reach('Redis', async () => {
    const client = createRedisClient(redisUrl, redisTopology(config), {
      lazyConnect: true,
      connectionName: APP_NAME,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
      retryStrategy: () => null,
    });
    client.on('error', () => {}); // the failing command says it
    teardown.add('redis', () => client.disconnect());
    await client.connect();
    await client.ping();
    return client;
  });
}

/** Opens every store and asks each to answer once; each is closed by `teardown`. */
export async function openStores(config: Config, teardown: Teardown): Promise<Stores> {
  const sql = await reach('PostgreSQL', async () => {
    const source = createDataSource(config.postgres);
    await source.initialize();
    teardown.add('postgres pool', () => source.destroy());
    await source.query('SELECT 1');
    return source;
  });
  const mongo = await reachMongo(config, teardown);
  const s3 = await reachS3(config, teardown);
  const redis = await reachRedis(config, teardown);
  return { sql, mongo, s3, redis, keyPrefix: config.redis.keyPrefix };
}
