import type { Logger } from '../logger.js';
import type { ReadinessCheck } from '../server/health.js';
import type { Teardown } from '../teardown.js';
import type { EntityCache } from './entity-cache.js';
import { MemoryCache } from './memory-cache.js';
import { CacheFence } from './cache-fence.js';
import { RedisCache } from './redis-cache.js';
import { RedisEventStream, type EventStream } from './event-stream.js';
import { MemoryEventStream } from './memory-event-stream.js';
import { createRedisClient, type RedisClient, type RedisTopology } from './client.js';
import { redisKeys } from './keys.js';

export interface RedisLayer {
  /** For counters and short-lived keys (rate limits); entity caches come from `entityCache`. */
  cache: EntityCache;
  /**
   * A service's entity cache under `prefix`: emptied after every (re)connection and
   * after a failed invalidation before reads use it again (`CacheFence`), so nothing an
   * outage made stale is served. In-process, the one memory cache.
   */
  entityCache(prefix: string): EntityCache;
  /** The durable domain-event stream, `<prefix>events`: consumer groups and live subscriptions read it. */
  events: EventStream;
  /**
   * True when the cache and event stream are Redis, shared by every
   * process; false for the in-process layer, which nothing outside this process sees.
   */
  shared: boolean;
  /** Key prefix for this deployment (and this test file), applied to every key. */
  keyPrefix: string;
  /**
   * The command connection, for features that need Redis's own data
   * structures (the gateway's response cache); undefined in-process. Commands
   * fail fast while Redis is down: callers must degrade, never fail a request.
   */
  client: RedisClient | undefined;
  /** Resolves when Redis answers; with the in-process layer it always does. */
  ping(): Promise<void>;
  /** `/ready`'s optional `redis` check (the command connection); none in-process. */
  readiness: ReadinessCheck[];
  /**
   * Waits (bounded) for the first connection, so a service that starts
   * together with Redis does not begin with misses. False when Redis is
   * still away: the service runs on, uncached.
   */
  waitUntilConnected(timeoutMs: number): Promise<boolean>;
}

export interface RedisLayerOptions {
  url: string | undefined;
  /** Sentinels naming the primary, or a Cluster's nodes (`redisTopology(config)`); `url` then gives the credentials only. */
  topology?: RedisTopology;
  /** Replicas that must acknowledge an event append (REDIS_EVENT_REPLICA_ACKS; default 0). */
  eventReplicaAcks?: number;
  keyPrefix: string;
  log: Logger;
  teardown: Teardown;
}

/**
 * Connects the cache and the event stream. Commands fail fast (no offline queue, one
 * retry) while Redis is down, so callers degrade instead of hanging; the
 * client keeps reconnecting in the background.
 */
export function createRedisLayer({
  url,
  topology,
  eventReplicaAcks = 0,
  keyPrefix,
  log,
  teardown,
}: RedisLayerOptions): RedisLayer {
  if (!url) {
    log.warn('REDIS_URL is not set: using the in-process cache and event stream (one process only)');
    const cache = new MemoryCache();
    return {
      cache,
      entityCache: () => cache,
      events: new MemoryEventStream(),
      shared: false,
      client: undefined,
      keyPrefix,
      ping: async () => {},
      readiness: [],
      waitUntilConnected: async () => true,
    };
  }

  const connect = (role: 'command' | 'consumer') => {
    const client = createRedisClient(url, topology, {
      connectionName: `polystore:${role}`,
      // Cache commands fail fast while Redis is down; consumers and live tails wait and resume on reconnect.
      enableOfflineQueue: role === 'consumer',
      maxRetriesPerRequest: 1,
      commandTimeout: role === 'command' ? 1_000 : undefined,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Without a listener ioredis reports every failed reconnect as an unhandled error.
    client.on('error', (err) => log.debug({ err, role }, 'redis connection error'));
    teardown.add(`redis ${role}`, async () => {
      // QUIT waits for a reply; a client that is reconnecting would wait forever.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    });
    return client;
  };

  const command = connect('command');
  return {
    cache: new RedisCache(command, log),
    entityCache: (prefix) => new RedisCache(command, log, new CacheFence(command, prefix, log)),
    events: new RedisEventStream(command, redisKeys(keyPrefix), () => connect('consumer'), eventReplicaAcks, log),
    shared: true,
    keyPrefix,
    client: command,
    ping: async () => {
      await command.ping();
    },
    readiness: [
      {
        name: 'redis',
        optional: true,
        async check() {
          await command.ping();
        },
      },
    ],
    waitUntilConnected: (timeoutMs) =>
      command.status === 'ready'
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => {
              command.off('ready', onReady);
              resolve(false);
            }, timeoutMs);
            const onReady = () => {
              clearTimeout(timer);
              resolve(true);
            };
            command.once('ready', onReady);
          }),
  };
}

/** Connects the Redis layer for a service and waits up to 2 s for it, warning when Redis is away. */
export async function connectRedisLayer(options: RedisLayerOptions): Promise<RedisLayer> {
  const layer = createRedisLayer(options);
  if (!(await layer.waitUntilConnected(2_000))) {
    options.log.warn('Redis is not reachable: serving without the shared cache until it is');
  }
  return layer;
}
