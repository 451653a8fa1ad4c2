import {
  connectServiceCache,
  createMetrics,
  createReferenceChecker,
  createServiceSubgraphServer,
  resumePositionOf,
  type ServiceContext,
  type SubgraphServer,
} from '@polystore/common';
import { createStorageCache, type StorageCache } from './cache.js';
import { createContext } from './context.js';
import { createOrderOwners } from './ownership.js';
import { createS3Store, ensureBucket, pingBucket, type S3Store } from './store/s3.js';
import { startEventConsumer } from './events/consumer.js';
import { startUploadSweeper } from './events/sweeper.js';
import { buildSchema } from './schema.js';

export interface StorageSubgraph extends SubgraphServer {
  s3: S3Store;
  /** For server-side writers (`store/server-writes.ts`), which drop the lists they change. */
  cache: StorageCache;
}

/** Builds the object subgraph: checks the bucket and returns a server not yet listening. */
export async function createStorageSubgraph({ config, log, teardown }: ServiceContext): Promise<StorageSubgraph> {
  if (!config.s3.endpoint) log.info('S3_ENDPOINT is not set: using AWS S3 in the configured region');
  const s3 = createS3Store(config, teardown);
  await ensureBucket(s3, log);
  // One registry for /metrics: the server's request metrics and the entity cache's lookups.
  const metrics = createMetrics('storage-subgraph');
  const { redis, cache: settings } = await connectServiceCache({ config, log, teardown }, 's3', metrics);
  const cache = createStorageCache(s3, settings);
  // Reads from the owners of User, Product and Order, signed as the gateway signs.
  const owners = {
    subgraphUrls: config.subgraphUrls,
    signatureSecret: config.auth.subgraphSecret,
    service: 'storage-subgraph',
  };
  const references = createReferenceChecker(owners);
  const orderOwners = createOrderOwners(owners);
  const events = startEventConsumer({ config, log, teardown }, { events: redis.events, s3, cache });
  startUploadSweeper({ s3, log, teardown });
  const server = await createServiceSubgraphServer({ config, log, teardown }, redis, {
    name: 'storage-subgraph',
    metrics,
    schema: buildSchema(),
    context: (request, viewer) =>
      createContext(
        { s3, cache, references, orderOwners, events: redis.events, log },
        viewer,
        resumePositionOf(request),
      ),
    readiness: [{ name: 's3', check: () => pingBucket(s3) }, ...redis.readiness, events],
  });
  return { ...server, s3, cache };
}
