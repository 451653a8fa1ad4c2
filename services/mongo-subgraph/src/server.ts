import { connectRedisLayer, createSubgraphServer, type ServiceContext, type SubgraphServer } from '@polystore/common';
import { createContext } from './context.js';
import { connectMongo, type MongoStore } from './db.js';
import { buildSchema } from './schema.js';

export interface MongoSubgraph extends SubgraphServer {
  store: MongoStore;
}

/** Builds the document subgraph: connects, ensures indexes, and returns a server not yet listening. */
export async function createMongoSubgraph({ config, log, teardown }: ServiceContext): Promise<MongoSubgraph> {
  const store = await connectMongo(config.mongo, teardown);
  const redis = await connectRedisLayer({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, log, teardown });
  const cache = { cache: redis.cache, keyPrefix: redis.keyPrefix, ttlSeconds: config.redis.cacheTtlSeconds };
  const server = await createSubgraphServer({
    name: 'mongo-subgraph',
    schema: buildSchema(),
    context: () => createContext(store, cache),
    readiness: [{ name: 'mongodb', check: () => store.db.command({ ping: 1 }) }],
    log,
    teardown,
  });
  return { ...server, store };
}
