import { randomUUID } from 'node:crypto';
import { asAdmin, eventually, graphqlRequest, testToken } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';
import { subscribeOverWebSocket, type TestSubscription } from '@polystore/testing/subscriptions';

/**
 * Identical subscriptions through the gateway are run once: anonymous clients
 * share one execution in the gateway, and identical subscriptions to a subgraph
 * share one upstream subscription. Every client still gets every event; a
 * signed-in client's subscription runs for that client alone.
 */
let stack: TestStack;
const productIds: string[] = [];
const open: TestSubscription[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  for (const sku of ['SHARE-1', 'SHARE-2']) {
    const created = await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($sku: String!) { createProduct(input: { sku: $sku, name: "Shared", price: { amount: 100, currency: "USD" }, stock: 1 }) { id } }`,
      { sku },
      { headers: asAdmin() },
    );
    productIds.push(created.data!.createProduct.id);
  }
  // Their creation events (InventoryChanged) are published now, before anyone subscribes.
  await stack.sql.flushOutbox();
});

afterAll(async () => {
  for (const subscription of open) await subscription.dispose();
  await stack?.dispose();
});

const EVENTS = 'subscription ($id: ID) { inventoryChanged(productId: $id) { id stock name } }';

/** The gateway's subscription gauges: executions shared by anonymous clients, and subscriptions to subgraphs. */
async function gauges() {
  const body = await (await fetch(stack.metricsUrls.gateway)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(body)?.[1] ?? NaN);
  return {
    shared: value('gateway_subscriptions_shared'),
    sharedClients: value('gateway_subscriptions_shared_clients'),
    upstream: value('gateway_subscriptions_upstream'),
    upstreamClients: value('gateway_subscriptions_upstream_clients'),
  };
}

async function restock(productId: string): Promise<number> {
  const result = await graphqlRequest(
    stack.gatewayUrl,
    'mutation ($id: ID!) { restock(input: { productId: $id, quantity: 1 }) { stock } }',
    { id: productId },
    { headers: asAdmin() },
  );
  await stack.sql.flushOutbox();
  return result.data!.restock.stock as number;
}

type Event = { data?: { inventoryChanged?: { id: string; stock: number } } };
const stocksOf = (subscription: TestSubscription) =>
  subscription.received.map((result) => (result as Event).data?.inventoryChanged?.stock);

it('runs identical subscriptions once and fans every event out to each client', async () => {
  const same = Array.from({ length: 5 }, () => subscribeOverWebSocket(stack.gatewayUrl, EVENTS, { id: productIds[0] }));
  const other = subscribeOverWebSocket(stack.gatewayUrl, EVENTS, { id: productIds[1] });
  const signedIn = subscribeOverWebSocket(
    stack.gatewayUrl,
    EVENTS,
    { id: productIds[0] },
    { token: testToken({ sub: randomUUID() }) },
  );
  open.push(...same, other, signedIn);
  const expected = {
    // Two anonymous executions (one per product) feeding six clients.
    shared: 2,
    sharedClients: 6,
    // Those two, and the signed-in client's own (its claims differ), each one subscription to the sql-subgraph.
    upstream: 3,
    upstreamClients: 3,
  };
  let last = {};
  await eventually(
    async () => JSON.stringify((last = await gauges())) === JSON.stringify(expected),
    `the gauges read ${JSON.stringify(expected)}`,
  ).catch((err: Error) => {
    throw new Error(`${err.message}, not ${JSON.stringify(last)}`);
  });

  const stock = await restock(productIds[0]!);
  await eventually(
    async () => [...same, signedIn].every((s) => stocksOf(s).includes(stock)),
    'every subscriber of the product got the event',
  );
  // The other product's subscription got none of them (at most its own product's creation event).
  expect(other.received.every((result) => (result as Event).data?.inventoryChanged?.id === productIds[1])).toBe(true);

  // One leaving does not end the execution for the others.
  await same[0]!.dispose();
  await eventually(async () => (await gauges()).sharedClients === 5, 'the client that left is gone');
  const next = await restock(productIds[0]!);
  await eventually(
    async () => same.slice(1).every((s) => stocksOf(s).includes(next)),
    'the remaining subscribers got the next event',
  );

  for (const subscription of [...same.slice(1), other, signedIn]) await subscription.dispose();
  await eventually(async () => {
    const now = await gauges();
    return now.shared === 0 && now.upstream === 0;
  }, 'the executions and upstream subscriptions closed with their last client');
});
