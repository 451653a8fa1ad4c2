import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
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

/** Channel name to payload type; each service declares its own events. */
export type EventMap = Record<string, [unknown] | [string | number, unknown]>;

export interface RedisLayer<Events extends EventMap = EventMap> {
  /** For counters and short-lived keys (rate limits); entity caches come from `entityCache`. */
  cache: EntityCache;
  /**
   * A service's entity cache under `prefix`: emptied after every (re)connection and
   * after a failed invalidation before reads use it again (`CacheFence`), so nothing an
   * outage made stale is served. In-process, the one memory cache.
   */
  entityCache(prefix: string): EntityCache;
  pubsub: PubSub<Events>;
  /** The durable domain-event stream, `<prefix>events`. */
  events: EventStream;
  /**
   * True when the cache, pub/sub and event stream are Redis, shared by every
   * process; false for the in-process layer, which nothing outside this process sees.
   */
  shared: boolean;
  /** Key prefix for this deployment (and this test file), applied to cache keys and channels. */
  keyPrefix: string;
  /**
   * The command connection, for features that need Redis's own data
   * structures (the gateway's response cache); undefined in-process. Commands
   * fail fast while Redis is down: callers must degrade, never fail a request.
   */
  client: RedisClient | undefined;
  /** Resolves when Redis answers; with the in-process layer it always does. */
  ping(): Promise<void>;
  /** `/ready`'s optional `redis` check (the cache and pub/sub connections); none in-process. */
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
 * Connects the cache and pub/sub. Commands fail fast (no offline queue, one
 * retry) while Redis is down, so callers degrade instead of hanging; the
 * client keeps reconnecting in the background.
 */
export function createRedisLayer<Events extends EventMap = EventMap>({
  url,
  topology,
  eventReplicaAcks = 0,
  keyPrefix,
  log,
  teardown,
}: RedisLayerOptions): RedisLayer<Events> {
  if (!url) {
    log.warn('REDIS_URL is not set: using the in-process cache and pub/sub (one process only)');
    const cache = new MemoryCache();
    return {
      cache,
      entityCache: () => cache,
      pubsub: createPubSub<Events>(),
      events: new MemoryEventStream(),
      shared: false,
      client: undefined,
      keyPrefix,
      ping: async () => {},
      readiness: [],
      waitUntilConnected: async () => true,
    };
  }

  const connect = (role: 'command' | 'publisher' | 'subscriber' | 'consumer') => {
    const client = createRedisClient(url, topology, {
      connectionName: `polystore:${role}`,
      // Cache commands fail fast while Redis is down; subscriptions and consumers wait and resume on reconnect.
      enableOfflineQueue: role === 'subscriber' || role === 'consumer',
      maxRetriesPerRequest: role === 'subscriber' ? null : 1,
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
  // A connection in subscriber mode cannot publish, so pub/sub takes two more.
  const publisher = connect('publisher');
  const subscriber = connect('subscriber');
  const eventTarget = createRedisEventTarget({
    publishClient: prefixedPublisher(publisher, keyPrefix, log),
    subscribeClient: prefixedSubscriber(subscriber, keyPrefix, log),
  });

  return {
    cache: new RedisCache(command, log),
    entityCache: (prefix) => new RedisCache(command, log, new CacheFence(command, prefix, log)),
    pubsub: createPubSub<Events>({ eventTarget }),
    events: new RedisEventStream(command, redisKeys(keyPrefix), () => connect('consumer'), eventReplicaAcks),
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
          // Subscriptions hear nothing while the subscriber connection is away, even if commands work.
          if (subscriber.status !== 'ready') throw new Error(`pub/sub connection ${subscriber.status}`);
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

/**
 * The event target ignores the promises of publish/subscribe; these adapters
 * catch their failures (an event published while Redis is down is lost and
 * logged, never an unhandled rejection) and put channels under the prefix.
 */
function prefixedPublisher(client: RedisClient, prefix: string, log: Logger) {
  return {
    publish: (channel: string, message: string) =>
      client.publish(prefix + channel, message).catch((err: unknown) => {
        log.warn({ err, channel }, 'event not published: Redis unavailable');
        return 0;
      }),
  } as unknown as RedisClient;
}

function prefixedSubscriber(client: RedisClient, prefix: string, log: Logger) {
  return {
    on(event: 'message', listener: (channel: string, message: string) => void) {
      client.on(event, (channel: string, message: string) => {
        if (channel.startsWith(prefix)) listener(channel.slice(prefix.length), message);
      });
    },
    subscribe: (channel: string) =>
      client.subscribe(prefix + channel).catch((err: unknown) => log.warn({ err, channel }, 'subscribe failed')),
    unsubscribe: (channel: string) =>
      client.unsubscribe(prefix + channel).catch((err: unknown) => log.debug({ err, channel }, 'unsubscribe failed')),
  } as unknown as RedisClient;
}

/** Connects the Redis layer for a service and waits up to 2 s for it, warning when Redis is away. */
export async function connectRedisLayer<Events extends EventMap = EventMap>(
  options: RedisLayerOptions,
): Promise<RedisLayer<Events>> {
  const layer = createRedisLayer<Events>(options);
  if (!(await layer.waitUntilConnected(2_000))) {
    options.log.warn('Redis is not reachable: serving without the shared cache until it is');
  }
  return layer;
}
