import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { connectServiceCache, createSubgraphServer, type ServiceContext, type SubgraphServer } from '@polystore/common';
import { createStorageCache } from './cache.js';
import { createContext } from './context.js';
import { createS3Store, ensureBucket, type S3Store } from './s3.js';
import { startEventConsumer } from './events/consumer.js';
import { buildSchema } from './schema.js';

export interface StorageSubgraph extends SubgraphServer {
  s3: S3Store;
}

/** Builds the object subgraph: checks the bucket and returns a server not yet listening. */
export async function createStorageSubgraph({ config, log, teardown }: ServiceContext): Promise<StorageSubgraph> {
  if (!config.s3.endpoint) log.info('S3_ENDPOINT is not set: using AWS S3 in the configured region');
  const s3 = createS3Store(config.s3, teardown);
  await ensureBucket(s3);
  const { redis, cache: settings } = await connectServiceCache({ config, log, teardown }, 's3');
  const cache = createStorageCache(s3, settings);
  startEventConsumer({ config, log, teardown }, { events: redis.events, s3, cache });
  const server = await createSubgraphServer({
    name: 'storage-subgraph',
    schema: buildSchema(),
    context: () => createContext(s3, cache),
    readiness: [{ name: 's3', check: () => s3.client.send(new HeadBucketCommand({ Bucket: s3.bucket })) }],
    log,
    teardown,
  });
  return { ...server, s3 };
}
