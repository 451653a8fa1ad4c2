import { asAdmin, eventually, graphqlRequest } from '@polystore/testing';
import { startTestStack, type TestStack } from '@polystore/testing/stack';
import { subscribeOverWebSocket, type TestSubscription } from '@polystore/testing/subscriptions';

/**
 * Identical subscriptions through the gateway share one subscription to the
 * subgraph, and every client still gets every event.
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
});

afterAll(async () => {
  for (const subscription of open) await subscription.dispose();
  await stack?.dispose();
});

const EVENTS = 'subscription ($id: ID) { inventoryChanged(productId: $id) { id stock name } }';

async function gauges(): Promise<{ upstream: number; clients: number }> {
  const body = await (await fetch(new URL('/metrics', stack.gatewayUrl))).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(body)?.[1] ?? NaN);
  return { upstream: value('gateway_subscriptions_upstream'), clients: value('gateway_subscriptions_clients') };
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

const stocksOf = (subscription: TestSubscription) =>
  subscription.received.map(
    (result) => (result as { data?: { inventoryChanged?: { stock: number } } }).data?.inventoryChanged?.stock,
  );

it('opens one upstream subscription for identical client subscriptions and fans its events out', async () => {
  const same = Array.from({ length: 5 }, () => subscribeOverWebSocket(stack.gatewayUrl, EVENTS, { id: productIds[0] }));
  const other = subscribeOverWebSocket(stack.gatewayUrl, EVENTS, { id: productIds[1] });
  open.push(...same, other);
  await eventually(async () => {
    const { upstream, clients } = await gauges();
    return upstream === 2 && clients === 6;
  }, 'six client subscriptions on two upstream subscriptions');

  const stock = await restock(productIds[0]!);
  await eventually(
    async () => same.every((s) => stocksOf(s).includes(stock)),
    'every identical subscriber got the event',
  );
  expect(stocksOf(other)).toEqual([]);

  // One leaving does not end the stream for the others.
  await same[0]!.dispose();
  await eventually(async () => (await gauges()).clients === 5, 'the client that left is gone');
  const next = await restock(productIds[0]!);
  await eventually(
    async () => same.slice(1).every((s) => stocksOf(s).includes(next)),
    'the remaining subscribers got the next event',
  );

  for (const subscription of [...same.slice(1), other]) await subscription.dispose();
  await eventually(
    async () => (await gauges()).upstream === 0,
    'the upstream subscriptions closed with their last client',
  );
});
