import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { testToken } from '@polystore/testing';
import { subscribeOverSse, subscribeOverWebSocket, type TestSubscription } from '@polystore/testing/subscriptions';
import { PIN_HEADER } from './haproxy.js';

export const INVENTORY = 'subscription { inventoryChanged { id stock } }';

/** An event as subscribers see it and as the stream holds it: a product and the stock it announced. */
const eventKey = (productId: string, stock: number) => `${productId}:${stock}`;

/** A subscriber through the balancer, pinned to one gateway, with the times its socket closed and connected. */
export interface Subscriber {
  name: string;
  transport: 'graphql-ws' | 'sse';
  pin: string;
  subscription: TestSubscription;
  /** graphql-ws only: `closed` and `connected` in order, with when. */
  connections: { state: 'connected' | 'closed'; at: number }[];
  /** The events it received (product:stock), once each. */
  received(): Set<string>;
}

/**
 * Opens a subscriber to every InventoryChanged; over graphql-ws it reconnects
 * by itself (graphql-ws's retry, re-subscribing), over SSE it does not.
 */
export async function subscribe(url: string, pin: string, transport: Subscriber['transport']): Promise<Subscriber> {
  const token = testToken({ sub: randomUUID() });
  const connections: Subscriber['connections'] = [];
  const subscription =
    transport === 'sse'
      ? await subscribeOverSse(url, INVENTORY, {}, { token, headers: { [PIN_HEADER]: pin } })
      : subscribeOverWebSocket(
          url,
          INVENTORY,
          {},
          {
            token,
            headers: { [PIN_HEADER]: pin },
            retryAttempts: 20,
            onConnection: (state) => connections.push({ state, at: Date.now() }),
          },
        );
  return {
    name: `${transport} on ${pin}`,
    transport,
    pin,
    subscription,
    connections,
    received: () =>
      new Set(
        subscription.received.flatMap((result) => {
          const product = (result as { data?: { inventoryChanged?: { id: string; stock: number } } }).data
            ?.inventoryChanged;
          return product ? [eventKey(product.id, product.stock)] : [];
        }),
      ),
  };
}

/** The newest entry id of the event stream (`0-0` when empty): events after it are the ones to account for. */
export async function streamPosition(redis: Redis, key: string): Promise<string> {
  const [newest] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  return newest?.[0] ?? '0-0';
}

/**
 * The InventoryChanged events of `productIds` appended to the stream after
 * `position`, once each (the relay may append an event twice), as
 * product:stock with the time the change committed.
 */
export async function publishedInventory(
  redis: Redis,
  key: string,
  position: string,
  productIds: Set<string>,
): Promise<Map<string, number>> {
  const events = new Map<string, number>();
  const entries = await redis.xrange(key, `(${position}`, '+');
  for (const [, fields] of entries) {
    const event = JSON.parse(fields[fields.indexOf('event') + 1]!) as {
      type: string;
      occurredAt: string;
      payload: { productId: string; stock: number };
    };
    if (event.type !== 'InventoryChanged' || !productIds.has(event.payload.productId)) continue;
    events.set(eventKey(event.payload.productId, event.payload.stock), Date.parse(event.occurredAt));
  }
  return events;
}

/**
 * What one subscriber missed of `published`, split by cause: events that
 * committed while its own connection was away (`whileAway`), within
 * `upstreamWindows` (around the death of the subgraph replica that held its
 * gateway's upstream subscription or relayed the event), and any other
 * (`unexplained`).
 * `slackMs` covers the way from commit to subscriber.
 */
export function missedBy(
  subscriber: Subscriber,
  published: Map<string, number>,
  upstreamWindows: [number, number][] = [],
  slackMs = 2_000,
) {
  const received = new Set([...subscriber.received()].filter((key) => published.has(key)));
  const missed = [...published].filter(([key]) => !received.has(key)).map(([, at]) => at);
  const away: [number, number][] = [];
  for (const [i, { state, at }] of subscriber.connections.entries()) {
    if (state !== 'closed') continue;
    const back = subscriber.connections.slice(i + 1).find((next) => next.state === 'connected');
    away.push([at - slackMs, (back?.at ?? Infinity) + slackMs]);
  }
  const within = (windows: [number, number][], at: number) => windows.some(([from, to]) => at >= from && at <= to);
  const whileAway = missed.filter((at) => within(away, at));
  const afterUpstreamKill = missed.filter((at) => !within(away, at) && within(upstreamWindows, at));
  const unexplained = missed.filter((at) => !within(away, at) && !within(upstreamWindows, at));
  return {
    received: received.size,
    missed: missed.length,
    whileAway: whileAway.length,
    afterUpstreamKill: afterUpstreamKill.length,
    /** From the first to the last event missed after the upstream kill: how long this subscriber's upstream was away. */
    upstreamGapMs: afterUpstreamKill.length ? Math.max(...afterUpstreamKill) - Math.min(...afterUpstreamKill) : 0,
    unexplained: unexplained.length,
    /** When the unexplained ones committed, to tell in a report what they were near. */
    unexplainedAt: unexplained,
    reconnects: subscriber.connections.filter(({ state }) => state === 'connected').length - 1,
  };
}
