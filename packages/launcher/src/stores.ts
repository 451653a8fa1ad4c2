import { join, resolve } from 'node:path';
import type { Config, Logger } from '@polystore/common';
import {
  findRedisServer,
  freePort,
  REDIS_INSTALL_HINT,
  startEmbeddedMongo,
  startEmbeddedPostgres,
  startEmbeddedRedis,
  startEmbeddedS3,
  type EmbeddedStore,
} from '@polystore/embedded';

export interface StoreEndpoints {
  /** Variables to give every service so it reaches the stores chosen here. */
  env: Record<string, string>;
  embedded: string[];
  stop(): Promise<void>;
}

/**
 * Starts an embedded server for each store whose URL is not configured,
 * keeping its data under `dataDir` so it survives restarts: the real
 * PostgreSQL, a private `redis-server` with an append-only file, a
 * MongoDB wire-protocol server and an S3 server on folders. Configured URLs
 * are left alone. `signal` (Ctrl-C during start-up) stops what had started.
 */
export async function startMissingStores(config: Config, log: Logger, signal?: AbortSignal): Promise<StoreEndpoints> {
  const dataDir = resolve(config.dataDir);
  const started: { name: string; store: EmbeddedStore }[] = [];
  const env: Record<string, string> = {};
  const stop = async () => {
    for (const { name, store } of started.reverse()) {
      await store.stop().catch((err: unknown) => log.warn({ err, store: name }, 'embedded store did not stop cleanly'));
    }
  };
  const start = async (name: string, run: () => Promise<EmbeddedStore>) => {
    signal?.throwIfAborted();
    const store = await run();
    started.push({ name, store });
    log.info({ url: store.url, dataDir: join(dataDir, name) }, `embedded ${name} started`);
    return store;
  };
  try {
    if (!config.postgres.url) {
      const store = await start('postgres', async () =>
        startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: await freePort() }),
      );
      env.DATABASE_URL = store.url;
    }
    if (!config.redis.url) {
      const binary = await findRedisServer();
      if (binary) {
        const store = await start('redis', async () =>
          startEmbeddedRedis({ dataDir: join(dataDir, 'redis'), port: await freePort(), binary }),
        );
        env.REDIS_URL = store.url;
      } else {
        log.warn(
          `no redis-server on the PATH: ${REDIS_INSTALL_HINT}. Until then each service caches alone, ` +
            'and domain events (subscriptions, cleanup across stores) wait in the PostgreSQL outbox.',
        );
      }
    }
    if (!config.mongo.url) {
      const store = await start('mongo', async () =>
        startEmbeddedMongo({ dataDir: join(dataDir, 'mongo'), port: await freePort() }),
      );
      env.MONGO_URL = store.url;
    }
    if (!config.s3.endpoint) {
      const store = await start('s3', async () =>
        startEmbeddedS3({
          dataDir: join(dataDir, 's3'),
          port: await freePort(),
          buckets: [config.s3.bucket],
          // It refuses requests not signed with the services' key pair, as a real S3 does.
          credentials: { accessKeyId: config.s3.accessKeyId, secretAccessKey: config.s3.secretAccessKey },
          region: config.s3.region,
        }),
      );
      env.S3_ENDPOINT = store.url;
    }
    signal?.throwIfAborted();
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, embedded: started.map(({ name }) => name), stop };
}
