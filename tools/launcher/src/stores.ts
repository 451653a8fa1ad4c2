import { join, resolve } from 'node:path';
import {
  generateSecret,
  lockRedisServer,
  redisServiceUrls,
  redisServiceUsers,
  redisUrlAs,
  type Config,
  type Logger,
  type RedisService,
} from '@polystore/common';
import {
  findRedisServer,
  freePort,
  prepareEmbeddedRoles,
  REDIS_INSTALL_HINT,
  startEmbeddedMongo,
  startEmbeddedPostgres,
  startEmbeddedRedis,
  startEmbeddedS3,
  type EmbeddedStore,
} from '@polystore/embedded';
import { superviseStore } from './supervise.js';

export interface StoreEndpoints {
  /** Variables to give every service so it reaches the stores chosen here. */
  env: Record<string, string>;
  /**
   * With the private Redis: each service's REDIS_URL, as its own ACL user (`env.REDIS_URL` is
   * the default user's, password-protected, for the launcher and its tools).
   */
  redisUrls?: Record<RedisService, string>;
  embedded: string[];
  /** Resolves, with why, when an embedded store died and could not be started again. */
  failed: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts an embedded server for each store whose URL is not configured,
 * keeping its data under `dataDir` so it survives restarts: the real
 * PostgreSQL, a private `redis-server` with an append-only file, a
 * MongoDB wire-protocol server and an S3 server on folders. Configured URLs
 * are left alone. `signal` (Ctrl-C during start-up) stops what had started.
 * A store in a process of its own (PostgreSQL, Redis) is started again on
 * the same port if that process dies (`superviseStore`).
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
  const failures: Promise<string>[] = [];
  let redisUrls: Record<RedisService, string> | undefined;
  /** `run` starts the server on the port given: once now, and again on the same port if it dies. */
  const start = async (name: string, run: (port: number) => Promise<EmbeddedStore>) => {
    signal?.throwIfAborted();
    const port = await freePort();
    const first = await run(port);
    const supervised = first.exited ? superviseStore(name, first, () => run(port), log) : undefined;
    if (supervised) failures.push(supervised.gaveUp);
    const store = supervised ?? first;
    started.push({ name, store });
    log.info({ url: store.url, dataDir: join(dataDir, name) }, `embedded ${name} started`);
    return store;
  };
  try {
    if (!config.postgres.url) {
      const walArchiveDir = config.backups.walArchiveDir && resolve(config.backups.walArchiveDir);
      const store = await start('postgres', (port) =>
        startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port, walArchiveDir }),
      );
      // The services connect as a role of their own; migrations run as the schema's owner.
      Object.assign(env, await prepareEmbeddedRoles(store.url));
    }
    if (!config.redis.url) {
      const binary = await findRedisServer();
      if (binary) {
        // Generated for this run, like the development secrets; in stack.json for `npm run seed`.
        const users = redisServiceUsers(config.redis.keyPrefix, () => generateSecret());
        const admin = { name: 'default', password: generateSecret() };
        const store = await start('redis', async (port) => {
          const server = await startEmbeddedRedis({ dataDir: join(dataDir, 'redis'), port, binary });
          // ACL users are not in the append-only file: created on every start, a restart too.
          await lockRedisServer(server.url, config.redis.keyPrefix, users, admin.password);
          return server;
        });
        env.REDIS_URL = redisUrlAs(store.url, admin);
        redisUrls = redisServiceUrls(store.url, users);
      } else {
        log.warn(
          `no redis-server on the PATH: ${REDIS_INSTALL_HINT}. Until then each service caches alone, ` +
            'and domain events (subscriptions, cleanup across stores) wait in the PostgreSQL outbox.',
        );
      }
    }
    if (!config.mongo.url) {
      const store = await start('mongo', (port) => startEmbeddedMongo({ dataDir: join(dataDir, 'mongo'), port }));
      env.MONGO_URL = store.url;
    }
    if (!config.s3.endpoint) {
      const store = await start('s3', (port) =>
        startEmbeddedS3({
          dataDir: join(dataDir, 's3'),
          port,
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
  return {
    env,
    redisUrls,
    embedded: started.map(({ name }) => name),
    failed: Promise.race([...failures, new Promise<string>(() => undefined)]),
    stop,
  };
}
