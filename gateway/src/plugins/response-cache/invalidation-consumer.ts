import {
  bindInvalidations,
  startConsumerGroup,
  type EventStream,
  type Invalidations,
  type Logger,
  type Teardown,
} from '@polystore/common';
import type { RedisResponseStore } from './redis-store.js';

/**
 * What each domain event on the stream makes stale in cached responses, by
 * GraphQL type: the gateway's one invalidation table, in the services' shape
 * (`Invalidations` in packages/common). Writes through the gateway are covered
 * by their mutation's result (every entity it returns is dropped); these
 * cover what changes behind the gateway (the outbox relays writes made by any
 * writer, SQL included).
 */
export const responseInvalidations: Invalidations<'Product' | 'User' | 'Order'> = {
  InventoryChanged: ({ productId }) => ({ Product: [productId] }),
  ProductUpdated: ({ productId }) => ({ Product: [productId] }),
  ProductDeleted: ({ productId }) => ({ Product: [productId] }),
  UserUpdated: ({ userId }) => ({ User: [userId] }),
  UserDeleted: ({ userId }) => ({ User: [userId] }),
  // A new order changes its user's order list and summary too.
  OrderPlaced: ({ orderId, userId }) => ({ Order: [orderId], User: [userId] }),
  OrderStatusChanged: ({ orderId, userId }) => ({ Order: [orderId], User: [userId] }),
};

export interface InvalidationConsumerOptions {
  /** The services' domain event stream (`RedisLayer.events`). */
  events: EventStream;
  log: Logger;
  /** Stops the consumer with the gateway. */
  teardown: Teardown;
  /** EVENT_RETRY_AFTER_MS: when an event whose invalidation failed is claimed again. */
  retryAfterMs: number;
}

/**
 * The gateway's consumer group on the domain event stream
 * (`gateway-response-cache`): every event is read once across the gateway
 * replicas, and what `responseInvalidations` names for it is dropped from
 * `cache`, a batch of events in one invalidation (one script in Redis).
 */
export function startInvalidationConsumer(
  cache: RedisResponseStore,
  { events, log, teardown, retryAfterMs }: InvalidationConsumerOptions,
): void {
  const invalidator = bindInvalidations(responseInvalidations, (stale) =>
    cache.invalidate([...stale].flatMap(([typename, ids]) => ids.map((id) => ({ typename, id })))),
  );
  startConsumerGroup({ events, group: 'gateway-response-cache', log, teardown, retryAfterMs }, {}, invalidator);
}
