import {
  connectServiceCache,
  createMetrics,
  createReferenceChecker,
  createServiceSubgraphServer,
  resumePositionOf,
  type ServiceContext,
  type SubgraphServer,
} from '@polystore/common';
import { createMongoCache } from './cache.js';
import { createContext } from './context.js';
import { startEventConsumer } from './events/consumer.js';
import { createProductCopies } from './product-copy.js';
import { startSearchCatchUp } from './search-catch-up.js';
import { buildSchema } from './schema.js';
import type { MongoStore } from './store/collections.js';
import { connectMongo, pingMongo } from './store/connect.js';

export interface MongoSubgraph extends SubgraphServer {
  store: MongoStore;
  /** Settles when the start-up catch-up of search documents is done or has given up. */
  searchCatchUp: Promise<void>;
}

/** Builds the document subgraph: connects, ensures indexes, and returns a server not yet listening. */
export async function createMongoSubgraph({ config, log, teardown }: ServiceContext): Promise<MongoSubgraph> {
  const store = await connectMongo(config.mongo, teardown);
  // One registry for /metrics: the server's request metrics and the entity cache's lookups.
  const metrics = createMetrics('mongo-subgraph');
  const { redis, cache: settings } = await connectServiceCache({ config, log, teardown }, 'mongo', metrics);
  const cache = createMongoCache(store, settings);
  // Reads from the owners of User, Product and Order, signed as the gateway signs.
  const owners = {
    subgraphUrls: config.subgraphUrls,
    signatureSecret: config.auth.subgraphSecret,
    service: 'mongo-subgraph',
  };
  const references = createReferenceChecker(owners);
  const productCopies = createProductCopies(owners);
  const events = startEventConsumer({ config, log, teardown }, { events: redis.events, store, cache, productCopies });
  // After the consumer group: products older than their events (or than the group) get documents too.
  const searchCatchUp = startSearchCatchUp({ store, productCopies }, { log, teardown });
  const server = await createServiceSubgraphServer({ config, log, teardown }, redis, {
    name: 'mongo-subgraph',
    metrics,
    schema: buildSchema(),
    context: (request, viewer) =>
      createContext(
        { store, cache, events: redis.events, log, references, productCopies },
        viewer,
        resumePositionOf(request),
      ),
    readiness: [{ name: 'mongodb', check: () => pingMongo(store) }, ...redis.readiness, events],
  });
  return { ...server, store, searchCatchUp };
}
