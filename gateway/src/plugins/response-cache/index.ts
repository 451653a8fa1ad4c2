import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getOperationAST } from 'graphql';
import {
  CacheFence,
  startConsumerGroup,
  type EventHandlers,
  type EventName,
  type EventPayloads,
} from '@polystore/common';
import type { PluginContext } from '../index.js';
import { responseCacheMetrics } from './metrics.js';
import { responseCache } from './plugin.js';
import { createRedisResponseStore, type CacheEntityRecord, type RedisResponseStore } from './redis-store.js';

/**
 * Lifetimes shorter than the default for types that change often or carry
 * per-request values (presigned asset URLs), in seconds; the longest a
 * response lives is the shortest lifetime of the types in it.
 */
const TTL_SECONDS_PER_TYPE: Record<string, number> = { Order: 10, Review: 30, Asset: 60 };

/**
 * What each domain event on the stream makes stale in cached responses: the
 * gateway's one invalidation table. Writes through the gateway are covered
 * by their mutation's result (every entity it returns is dropped); these
 * cover what changes behind the gateway (the outbox relays writes made by any
 * writer, SQL included).
 */
export const responseInvalidations: {
  [E in EventName]?: (payload: EventPayloads[E]) => CacheEntityRecord[];
} = {
  InventoryChanged: ({ productId }) => [{ typename: 'Product', id: productId }],
  ProductUpdated: ({ productId }) => [{ typename: 'Product', id: productId }],
  ProductDeleted: ({ productId }) => [{ typename: 'Product', id: productId }],
  UserUpdated: ({ userId }) => [{ typename: 'User', id: userId }],
  UserDeleted: ({ userId }) => [{ typename: 'User', id: userId }],
  // A new order changes its user's order list and summary too.
  OrderPlaced: ({ orderId, userId }) => [
    { typename: 'Order', id: orderId },
    { typename: 'User', id: userId },
  ],
  OrderStatusChanged: ({ orderId, userId }) => [
    { typename: 'Order', id: orderId },
    { typename: 'User', id: userId },
  ],
};

/**
 * Whole responses cached in Redis (GATEWAY_RESPONSE_CACHE), shared by every
 * replica and keyed by the served supergraph, operation, variables and the
 * caller's identity (the Authorization header), so private fields never reach
 * another caller. The planner always gets the client's own operation
 * (`plugin.ts`). Off, or without Redis, it is absent.
 */
export function redisResponseCache({ config, log, teardown, redis, metrics }: PluginContext): GatewayPlugin[] {
  const { enabled, ttlSeconds } = config.gateway.responseCache;
  if (!enabled) return [];
  if (!redis.client) {
    log.warn('GATEWAY_RESPONSE_CACHE needs Redis (REDIS_URL): responses are not cached');
    return [];
  }
  const prefix = `${redis.keyPrefix}gateway:rc:`;
  const cache = createRedisResponseStore(redis.client, prefix, log, {
    // Longer than any execution can last: a subgraph that does not answer in time is given up on.
    rememberInvalidationsMs: config.gateway.upstreamTimeoutMs + 60_000,
    // No answer an outage made stale is served once Redis is back.
    fence: new CacheFence(redis.client, `${prefix}response:`, log),
  });

  const handlers: EventHandlers = Object.fromEntries(
    Object.entries(responseInvalidations).map(([type, entities]) => [
      type,
      (payload: never) => cache.invalidate((entities as (payload: never) => CacheEntityRecord[])(payload)),
    ]),
  );
  startConsumerGroup(
    { events: redis.events, group: 'gateway-response-cache', log, teardown, retryAfterMs: config.events.retryAfterMs },
    handlers,
  );

  const cachePlugin = responseCache({
    cache,
    ttlMs: ttlSeconds * 1000,
    ttlMsPerType: Object.fromEntries(
      Object.entries(TTL_SECONDS_PER_TYPE).map(([type, seconds]) => [type, Math.min(seconds, ttlSeconds) * 1000]),
    ),
  });
  // The metrics first: a hit ends the request in the cache plugin's onParams, before later plugins see its params.
  return [responseCacheMetrics(metrics, config), cachePlugin, readYourWrites(cache)];
}

/**
 * A mutation's answer leaves once the cached responses it made stale are gone:
 * the cache plugin starts the invalidation without waiting for it, so the
 * client's next read could otherwise still be answered from the cache.
 */
function readYourWrites(cache: RedisResponseStore): GatewayPlugin {
  const mutations = new WeakSet<Request>();
  return {
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (request && getOperationAST(args.document, args.operationName)?.operation === 'mutation')
        mutations.add(request);
    },
    async onResultProcess({ request }) {
      if (mutations.has(request)) await cache.invalidated();
    },
  };
}
