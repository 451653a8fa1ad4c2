import {
  connectServiceCache,
  createMetrics,
  createReferenceChecker,
  createSubgraphServer,
  type ServiceContext,
  type SubgraphServer,
} from '@polystore/common';
import { createMongoCache } from './cache.js';
import { createContext } from './context.js';
import { connectMongo, type MongoStore } from './db.js';
import { startEventConsumer } from './events/consumer.js';
import type { MongoEvents } from './events/topics.js';
import { createProductCopier } from './product-copy.js';
import { buildSchema } from './schema.js';

export interface MongoSubgraph extends SubgraphServer {
  store: MongoStore;
}

/** Builds the document subgraph: connects, ensures indexes, and returns a server not yet listening. */
export async function createMongoSubgraph({ config, log, teardown }: ServiceContext): Promise<MongoSubgraph> {
  const store = await connectMongo(config.mongo, teardown);
  // One registry for /metrics: the server's request metrics and the entity cache's lookups.
  const metrics = createMetrics('mongo-subgraph');
  const { redis, cache: settings } = await connectServiceCache<MongoEvents>(
    { config, log, teardown },
    'mongo',
    metrics,
  );
  const cache = createMongoCache(store, settings);
  // Reads from the owners of User, Product and Order, signed as the gateway signs.
  const owners = { subgraphUrls: config.subgraphUrls, signatureSecret: config.auth.subgraphSecret };
  const references = createReferenceChecker(owners);
  const copyProducts = createProductCopier(owners);
  startEventConsumer({ config, log, teardown }, { events: redis.events, store, cache, copyProducts });
  const server = await createSubgraphServer({
    name: 'mongo-subgraph',
    metrics,
    schema: buildSchema(),
    context: () => createContext({ store, cache, pubsub: redis.pubsub, references, copyProducts }),
    readiness: [{ name: 'mongodb', check: () => store.db.command({ ping: 1 }) }],
    log,
    teardown,
    signatureSecret: config.auth.subgraphSecret,
  });
  return { ...server, store };
}
