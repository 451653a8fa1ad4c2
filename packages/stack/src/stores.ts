import { join, resolve } from 'node:path';
import type { Config, Logger } from '@polystore/common';
import {
  freePort,
  startEmbeddedMongo,
  startEmbeddedPostgres,
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
 * keeping its data under `dataDir` so it survives restarts. Configured URLs
 * are left alone. Redis has no embedded server: without REDIS_URL each
 * service uses its in-process cache and pub/sub.
 */
export async function startMissingStores(config: Config, log: Logger): Promise<StoreEndpoints> {
  const dataDir = resolve(config.dataDir);
  const started: { name: string; store: EmbeddedStore }[] = [];
  const env: Record<string, string> = {};
  const stop = async () => {
    for (const { name, store } of started.reverse()) {
      await store.stop().catch((err: unknown) => log.warn({ err, store: name }, 'embedded store did not stop cleanly'));
    }
  };
  try {
    if (!config.postgres.url) {
      const store = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: await freePort() });
      started.push({ name: 'postgres', store });
      env.DATABASE_URL = store.url;
      // PGlite runs one transaction at a time; a small pool avoids queueing timeouts.
      env.DATABASE_POOL_MAX = '4';
    }
    if (!config.mongo.url) {
      const store = await startEmbeddedMongo({ dataDir: join(dataDir, 'mongo'), port: await freePort() });
      started.push({ name: 'mongo', store });
      env.MONGO_URL = store.url;
    }
    if (!config.s3.endpoint) {
      const store = await startEmbeddedS3({
        dataDir: join(dataDir, 's3'),
        port: await freePort(),
        buckets: [config.s3.bucket],
      });
      started.push({ name: 's3', store });
      env.S3_ENDPOINT = store.url;
    }
  } catch (err) {
    await stop();
    throw err;
  }
  for (const { name, store } of started) log.info({ store: name, url: store.url, dataDir }, 'embedded store started');
  return { env, embedded: started.map(({ name }) => name), stop };
}
