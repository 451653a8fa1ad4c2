import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  asAdmin,
  bearer,
  consumerGroupCaughtUp,
  createTestProduct,
  eventually,
  graphqlRequest,
  testToken,
  metricSum,
} from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The gateway's response cache in Redis (GATEWAY_RESPONSE_CACHE): a repeated
 * query is answered without calling the subgraph, and a change shows on the
 * next read whether it came through a mutation or from behind the gateway.
 */
let stack: TestStack;
let redis: Redis;
let productId: string;

beforeAll(async () => {
  stack = await startTestStack({ GATEWAY_RESPONSE_CACHE: 'true' });
  redis = new Redis(stack.redis.url);
  // The mongo-subgraph's start-up catch-up reads the catalog from the sql-subgraph too.
  await stack.mongo.searchCatchUp;
  productId = await createTestProduct(stack.gatewayUrl, { sku: 'CACHED-1', name: 'Kettle', amount: 3000, stock: 4 });
  // The creation's own event would otherwise drop the first cached answer mid-test, and the
  // mongo-subgraph's handling of it reads the product from the sql-subgraph, which the
  // tests below count: every consumer group is caught up before they start.
  await stack.sql.flushOutbox();
  await eventually(gatewayCaughtUp, 'the gateway read the event stream');
  for (const group of ['mongo-subgraph', 'storage-subgraph']) {
    await eventually(() => consumerGroupCaughtUp(redis, stack.redis.keyPrefix, group), `${group} applied the event`);
  }
});

afterAll(async () => {
  await redis?.quit();
  await stack?.dispose();
});

const PRODUCT = `query ($id: ID!) { product(id: $id) { id name price { amount } } }`;
const read = (headers: Record<string, string> = {}) =>
  graphqlRequest(stack.gatewayUrl, PRODUCT, { id: productId }, { headers });

/** GraphQL requests the sql-subgraph has served, from its Prometheus counter. */
const sqlSubgraphRequests = () =>
  metricSum(stack.metricsUrls.sql, 'http_requests_total', { route: '/graphql', method: 'POST' });

const gatewayCaughtUp = () => consumerGroupCaughtUp(redis, stack.redis.keyPrefix, 'gateway-response-cache');

describe('response cache', () => {
  it('answers a repeated query from Redis without calling the subgraph', async () => {
    const first = await read();
    expect(first.data!.product).toEqual({ id: productId, name: 'Kettle', price: { amount: 3000 } });
    // The answer is stored after it is sent (write-behind): the repeat waits until Redis holds it.
    await eventually(
      async () => (await redis.keys(`${stack.redis.keyPrefix}gateway:{rc}:response:*`)).length > 0,
      'the first answer is stored',
    );
    const before = await sqlSubgraphRequests();
    expect((await read()).data).toEqual(first.data);
    expect(await sqlSubgraphRequests()).toBe(before);
  });

  it('never stores an answer sent in parts (@defer)', async () => {
    const deferred = `query ($id: ID!) { product(id: $id) { id ... @defer { name price { amount } } } }`;
    for (const accept of ['multipart/mixed', 'text/event-stream']) {
      const ask = async () => {
        const response = await fetch(stack.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept },
          body: JSON.stringify({ query: deferred, variables: { id: productId } }),
        });
        expect(response.status).toBe(200);
        return await response.text();
      };
      expect(await ask()).toContain('Kettle');
      // Time for a (wrongly) stored answer to be written behind, as the first test waits for one.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = await sqlSubgraphRequests();
      expect(await ask()).toContain('Kettle');
      expect(await sqlSubgraphRequests()).toBeGreaterThan(before);
    }
  });

  it('keeps callers apart: another identity is answered on its own', async () => {
    await read();
    const before = await sqlSubgraphRequests();
    await read(bearer(testToken({ sub: randomUUID() })));
    expect(await sqlSubgraphRequests()).toBe(before + 1);
  });

  it('shows a change made through a mutation on the next read', async () => {
    await read();
    const updated = await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($id: ID!) { updateProduct(input: { id: $id, price: { amount: 3500, currency: "EUR" } }) { id price { amount } } }`,
      { id: productId },
      { headers: asAdmin() },
    );
    expect(updated.errors).toBeUndefined();
    expect((await read()).data!.product.price).toEqual({ amount: 3500 });
  });

  it('shows a change made behind the gateway once its domain event arrives, not after the TTL', async () => {
    await read();
    // The answer is stored in the background: wait until it is, so the event below finds it.
    await eventually(
      async () => (await redis.exists(`${stack.redis.keyPrefix}gateway:{rc}:entity:Product:${productId}`)) === 1,
      'the answer is cached',
    );
    // Another writer changes the row; the trigger's ProductUpdated travels outbox → Redis stream → gateway.
    await stack.sql.db.query(`UPDATE products SET name = 'Electric kettle' WHERE id = $1`, [productId]);
    await stack.sql.flushOutbox();
    await eventually(async () => (await read()).data!.product.name === 'Electric kettle', 'the new name is served');
  });

  it('drops an answer that does not show the product id when any product changes', async () => {
    const nameOnly = async () =>
      (await graphqlRequest(stack.gatewayUrl, `query ($id: ID!) { product(id: $id) { name } }`, { id: productId }))
        .data!.product.name as string;
    await nameOnly();
    // Without its id the answer is listed as holding "some Product".
    await eventually(
      async () => (await redis.scard(`${stack.redis.keyPrefix}gateway:{rc}:unidentified:Product`)) > 0,
      'the answer is cached',
    );
    await stack.sql.db.query(`UPDATE products SET name = 'Stovetop kettle' WHERE id = $1`, [productId]);
    await stack.sql.flushOutbox();
    await eventually(async () => (await nameOnly()) === 'Stovetop kettle', 'the new name is served');
  });
});
