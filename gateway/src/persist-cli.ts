import { readFile } from 'node:fs/promises';
import { connectRedisLayer, createLogger, loadConfig, redisConnection, Teardown } from '@polystore/common';
import { registerManifest } from './plugins/persisted-queries/register.js';
import { createPersistedQueryStore } from './plugins/persisted-queries/redis-store.js';

/**
 * `npm run persist -- <manifest.json>`: registers a client's operations for
 * GATEWAY_PERSISTED_QUERIES=allow-list in the Redis at REDIS_URL.
 */
const config = loadConfig();
const log = createLogger('persist', config.logLevel, config.logFormat);
const file = process.argv[2];
if (!file) {
  log.fatal('usage: npm run persist -- <manifest.json> (an object of sha256 hash to operation text)');
  process.exit(2);
}
const teardown = new Teardown(log);
const redis = await connectRedisLayer({ ...redisConnection(config), log, teardown });
try {
  if (!redis.client || !(await redis.waitUntilConnected(2_000)))
    throw new Error('REDIS_URL must point at a running Redis');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  const store = createPersistedQueryStore(
    redis.client,
    redis.keyPrefix,
    config.gateway.persistedQueries.ttlSeconds,
    log,
  );
  const { registered, refused } = await registerManifest(store, manifest);
  log.info({ registered, refused }, 'operations registered');
  if (refused.length > 0) process.exitCode = 1;
} catch (err) {
  log.fatal({ err, file }, 'registration failed');
  process.exitCode = 1;
} finally {
  await teardown.close();
}
