import { Redis } from 'ioredis';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Logger } from '../logger.js';
import type { Teardown } from '../teardown.js';
import { MemoryCache, type EntityCache } from './cache.js';
import { RedisCache } from './redis-cache.js';

/** Channel name to payload type; each service declares its own events. */
export type EventMap = Record<string, [unknown] | [string | number, unknown]>;

export interface RedisLayer<Events extends EventMap = EventMap> {
  cache: EntityCache;
  pubsub: PubSub<Events>;
  /** Key prefix for this deployment (and this test file), applied to cache keys and channels. */
  keyPrefix: string;
  /** Resolves when Redis answers; with the in-process layer it always does. */
  ping(): Promise<void>;
}

export interface RedisLayerOptions {
  url: string | undefined;
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
  keyPrefix,
  log,
  teardown,
}: RedisLayerOptions): RedisLayer<Events> {
  if (!url) {
    log.warn('REDIS_URL is not set: using the in-process cache and pub/sub (one process only)');
    return {
      cache: new MemoryCache(),
      pubsub: createPubSub<Events>(),
      keyPrefix,
      ping: async () => {},
    };
  }

  const connect = (role: string) => {
    const client = new Redis(url, {
      connectionName: `polystore:${role}`,
      enableOfflineQueue: role === 'subscriber',
      maxRetriesPerRequest: 1,
      commandTimeout: role === 'subscriber' ? undefined : 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Without a listener ioredis reports every failed reconnect as an unhandled error.
    client.on('error', (err) => log.debug({ err, role }, 'redis connection error'));
    teardown.add(`redis ${role}`, async () => {
      await client.quit().catch(() => client.disconnect());
    });
    return client;
  };

  const command = connect('command');
  // A connection in subscriber mode cannot publish, so pub/sub takes two more.
  const publisher = connect('publisher');
  const subscriber = connect('subscriber');
  const eventTarget = createRedisEventTarget({
    publishClient: publisher,
    subscribeClient: subscriber,
  });

  return {
    cache: new RedisCache(command, log),
    pubsub: createPubSub<Events>({ eventTarget }),
    keyPrefix,
    ping: async () => {
      await command.ping();
    },
  };
}
