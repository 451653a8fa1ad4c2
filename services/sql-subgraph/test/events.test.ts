import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { DomainEvent } from '@polystore/common';
import { startForTest, type StartedSubgraph } from '@polystore/testing';
import { startPrivateRedis, type PrivateServer } from '@polystore/testing/stores';
import { createSqlSubgraph, type SqlSubgraph } from '../src/server.js';
import { PLACE_ORDER, placeOneOrder, seedCatalog, startSqlTestBed, type SqlTestBed } from './support/test-bed.js';

let bed: SqlTestBed;
let redis: Redis;
const clients: Client[] = [];

beforeAll(async () => {
  bed = await startSqlTestBed();
  redis = new Redis(bed.redisUrl);
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await redis?.quit();
  await bed?.dispose();
});

const SET_STATUS = `mutation ($id: ID!, $status: OrderStatus!) {
  updateOrderStatus(input: { orderId: $id, status: $status }) { id }
}`;
const setStatus = (id: string, status: string) => bed.gql(SET_STATUS, { id, status });

async function streamEvents(keyPrefix = bed.keyPrefix, client = redis): Promise<DomainEvent[]> {
  const entries = await client.xrange(`${keyPrefix}events`, '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[1]!) as DomainEvent);
}

/** Collects a subscription's results over graphql-ws until `count` arrive (or the time runs out). */
function subscribe(url: string, query: string, variables: Record<string, unknown>) {
  const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false });
  clients.push(client);
  const received: any[] = [];
  const before = bed.subgraph.liveFollowers();
  // Subscribed once the subgraph follows the event stream for it (bounded wait).
  const subscribed = async () => {
    for (let attempt = 0; attempt < 200; attempt++) {
      if (bed.subgraph.liveFollowers() > before) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the subscription does not follow the event stream');
  };
  client.subscribe(
    { query, variables },
    {
      next: (result) => received.push(result),
      error: (err) => received.push({ error: err }),
      complete: () => undefined,
    },
  );
  return {
    subscribed,
    async take(count: number, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      return received.slice(0, count);
    },
  };
}

describe('outbox relay', () => {
  it('moves every outbox row to the Redis stream in commit order and marks it published', async () => {
    const { orderId, productId, userId } = await placeOneOrder(bed, 4, 1);
    await setStatus(orderId, 'PAID');
    await bed.subgraph.flushOutbox();

    const events = (await streamEvents()).filter((event) => [orderId, productId].includes(event.aggregateId));
    expect(events.map((event) => event.type)).toEqual([
      'ProductCreated',
      'InventoryChanged',
      'OrderPlaced',
      'InventoryChanged',
      'OrderStatusChanged',
    ]);
    expect(events[4]!.payload).toEqual({ orderId, userId, from: 'PENDING', to: 'PAID' });
    const ids = events.map((event) => Number(event.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(await bed.sql(`SELECT id FROM outbox WHERE published_at IS NULL`)).toEqual([]);
  });

  it('invalidates the cache for writes made outside the API', async () => {
    const { productIds } = await seedCatalog(bed, [{ stock: 4 }]);
    const id = productIds[0]!;
    // Read twice: the second read is served from Redis.
    await bed.gql(`query ($id: ID!) { product(id: $id) { stock } }`, { id });
    await bed.sql(`UPDATE products SET stock = 77 WHERE id = $1`, [id]);
    await bed.subgraph.flushOutbox();
    const read = await bed.gql(`query ($id: ID!) { product(id: $id) { stock } }`, { id });
    expect(read.data!.product.stock).toBe(77);
  });

  it('keeps events while Redis is down and delivers them, at least once, when it is back', async () => {
    const privateRedis: PrivateServer = await startPrivateRedis();
    const outage = await startSqlTestBed({ REDIS_URL: privateRedis.url, REDIS_KEY_PREFIX: 'outage:' });
    try {
      const { productIds } = await seedCatalog(outage, [{ stock: 1 }]);
      await outage.subgraph.flushOutbox();
      await privateRedis.stop();
      await outage.sql(`UPDATE products SET stock = 2 WHERE id = $1`, [productIds[0]]);
      await expect(outage.subgraph.flushOutbox()).rejects.toThrow();
      expect(await outage.sql(`SELECT event_type FROM outbox WHERE published_at IS NULL`)).toEqual([
        { event_type: 'InventoryChanged' },
      ]);

      await privateRedis.start();
      const client = new Redis(privateRedis.url);
      let delivered: DomainEvent[] = [];
      let pending: unknown[] = [{}];
      // The relay retries on its own, with backoff; the append lands just before its commit.
      for (let attempt = 0; attempt < 100 && (delivered.length === 0 || pending.length > 0); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        delivered = (await streamEvents('outage:', client)).filter(
          (event) => event.type === 'InventoryChanged' && (event.payload as { stock: number }).stock === 2,
        );
        pending = await outage.sql(`SELECT id FROM outbox WHERE published_at IS NULL`);
      }
      await client.quit();
      expect(delivered).toHaveLength(1);
      expect(pending).toEqual([]);
    } finally {
      await outage.dispose();
      await privateRedis.dispose();
    }
  }, 60_000);
});

describe('without Redis', () => {
  it('keeps events in the outbox, where no other process could read them, until a relay with Redis runs', async () => {
    const alone = await startSqlTestBed({ REDIS_URL: '' });
    let withRedis: StartedSubgraph<SqlSubgraph> | undefined;
    try {
      const { productIds } = await seedCatalog(alone, [{ stock: 1 }]);
      await alone.gql(`mutation ($input: RestockInput!) { restock(input: $input) { stock } }`, {
        input: { productId: productIds[0], quantity: 4 },
      });
      await expect(alone.subgraph.flushOutbox()).rejects.toThrow(/Redis/);
      // Several poll intervals (50 ms) pass: nothing is marked published.
      await new Promise((resolve) => setTimeout(resolve, 400));
      // The product's creation (ProductCreated with its opening stock) and its restock.
      expect(await alone.sql(`SELECT event_type FROM outbox WHERE published_at IS NULL ORDER BY id`)).toEqual([
        { event_type: 'ProductCreated' },
        { event_type: 'InventoryChanged' },
        { event_type: 'InventoryChanged' },
      ]);

      withRedis = await startForTest(createSqlSubgraph, {
        ...alone.databaseEnv,
        REDIS_URL: alone.redisUrl,
        REDIS_KEY_PREFIX: alone.keyPrefix,
      });
      await withRedis.server.flushOutbox();
      expect(await alone.sql(`SELECT id FROM outbox WHERE published_at IS NULL`)).toEqual([]);
      const delivered = (await streamEvents(alone.keyPrefix)).filter((event) => event.type === 'InventoryChanged');
      expect(delivered.map((event) => (event.payload as { stock: number }).stock)).toEqual([1, 5]);
    } finally {
      await withRedis?.teardown.close();
      await alone.dispose();
    }
  }, 30_000);
});

describe('subscriptions', () => {
  it('streams status changes of one order with its current state', async () => {
    const { orderId, productId, userId } = await placeOneOrder(bed, 4, 1);
    await bed.subgraph.flushOutbox();
    const other = await bed.gql(PLACE_ORDER, { input: { userId, items: [{ productId, quantity: 1 }] } });

    const subscription = subscribe(
      bed.url,
      `subscription ($id: ID) { orderStatusChanged(orderId: $id) { id status history { to } } }`,
      { id: orderId },
    );
    await subscription.subscribed();
    await setStatus(other.data!.placeOrder.id, 'PAID');
    await setStatus(orderId, 'PAID');
    await setStatus(orderId, 'SHIPPED');

    const results = await subscription.take(2);
    expect(results.map((result) => result.data.orderStatusChanged.status)).toEqual(['PAID', 'SHIPPED']);
    expect(results.every((result) => result.data.orderStatusChanged.id === orderId)).toBe(true);
    expect(results[1].data.orderStatusChanged.history.map((change: any) => change.to)).toEqual([
      'PENDING',
      'PAID',
      'SHIPPED',
    ]);
  });

  it("reads each event afresh, not from the first event's loaders", async () => {
    const { orderId, productId } = await placeOneOrder(bed, 4, 1);
    await bed.subgraph.flushOutbox();
    const subscription = subscribe(
      bed.url,
      `subscription ($id: ID) { orderStatusChanged(orderId: $id) { status history { to } items { product { name } } } }`,
      { id: orderId },
    );
    await subscription.subscribed();
    await setStatus(orderId, 'PAID');
    await subscription.take(1);
    await bed.gql(`mutation ($id: ID!) { updateProduct(input: { id: $id, name: "New name" }) { id } }`, {
      id: productId,
    });
    await setStatus(orderId, 'SHIPPED');
    const [, second] = await subscription.take(2);
    expect(second.data.orderStatusChanged).toEqual({
      status: 'SHIPPED',
      history: [{ to: 'PENDING' }, { to: 'PAID' }, { to: 'SHIPPED' }],
      items: [{ product: { name: 'New name' } }],
    });
  });

  it('rejects a malformed filter id instead of never matching', async () => {
    const subscription = subscribe(
      bed.url,
      `subscription { orderStatusChanged(orderId: "NOT-A-UUID") { status } }`,
      {},
    );
    const [result] = await subscription.take(1);
    expect(JSON.stringify(result)).toContain('BAD_USER_INPUT');
  });

  it('streams inventory changes of one product, from orders and restocks alike', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 5 }]);
    const productId = productIds[0]!;
    await bed.subgraph.flushOutbox(); // the product's creation is not part of this test
    const subscription = subscribe(
      bed.url,
      `subscription ($id: ID) { inventoryChanged(productId: $id) { id stock } }`,
      { id: productId },
    );
    await subscription.subscribed();
    await bed.gql(PLACE_ORDER, { input: { userId, items: [{ productId, quantity: 2 }] } });
    await bed.gql(`mutation ($id: ID!) { restock(input: { productId: $id, quantity: 10 }) { id } }`, { id: productId });
    const results = await subscription.take(2);
    expect(results.map((result) => result.data.inventoryChanged.stock)).toEqual([3, 13]);
  });
});
