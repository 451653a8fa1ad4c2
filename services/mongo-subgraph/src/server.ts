import { connectServiceCache, createSubgraphServer, type ServiceContext, type SubgraphServer } from '@polystore/common';
import { createMongoCache } from './cache.js';
import { createContext } from './context.js';
import { connectMongo, type MongoStore } from './db.js';
import { startEventConsumer } from './events/consumer.js';
import { buildSchema } from './schema.js';

export interface MongoSubgraph extends SubgraphServer {
  store: MongoStore;
}

/** Builds the document subgraph: connects, ensures indexes, and returns a server not yet listening. */
export async function createMongoSubgraph({ config, log, teardown }: ServiceContext): Promise<MongoSubgraph> {
  const store = await connectMongo(config.mongo, teardown);
  const { redis, cache: settings } = await connectServiceCache({ config, log, teardown }, 'mongo');
  const cache = createMongoCache(store, settings);
  startEventConsumer({ config, log, teardown }, { events: redis.events, store, cache });
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
