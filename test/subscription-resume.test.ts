import type { Socket } from 'node:net';
import { asAdmin, eventually, graphqlRequest } from '@polystore/testing';
import { firstEvent, subscribeOverWebSocket } from '@polystore/testing/subscriptions';
import { subscribedStackOfFile } from './support/stack.js';

/**
 * A subscription outlives the connection between the gateway and the subgraph
 * that holds it (its replica died, a balancer moved it): graphql-ws on the
 * gateway reconnects and subscribes again, signed anew (the first signature is by
 * then older than the subgraph accepts, 1 s here) and with the position of the
 * last event it had, and the subgraph replays from the durable stream what was
 * published while it was away. The client's own connection stays open throughout.
 */
const { stack, subscriptions } = subscribedStackOfFile({ SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS: '1' });
/** The WebSocket connections the sql- and mongo-subgraphs accepted (the gateway's, for subscriptions). */
const upgraded = new Set<Socket>();
const upgradedMongo = new Set<Socket>();
let productId: string;

const admin = (query: string, variables?: Record<string, unknown>) =>
  graphqlRequest(stack.gatewayUrl, query, variables, { headers: asAdmin() });
const restock = (quantity: number) =>
  admin('mutation ($id: ID!, $q: Int!) { restock(input: { productId: $id, quantity: $q }) { stock } }', {
    id: productId,
    q: quantity,
  });
const stocks = (received: unknown[]) =>
  received.map(
    (result) => (result as { data?: { inventoryChanged?: { stock: number } } }).data?.inventoryChanged?.stock,
  );

beforeAll(async () => {
  stack.sql.httpServer.on('upgrade', (_request, socket: Socket) => upgraded.add(socket));
  stack.mongo.httpServer.on('upgrade', (_request, socket: Socket) => upgradedMongo.add(socket));
  productId = (
    await admin(
      'mutation { createProduct(input: { sku: "RESUME-1", name: "Lamp", price: { amount: 900, currency: "USD" }, stock: 10 }) { id } }',
    )
  ).data!.createProduct.id as string;
  await stack.sql.flushOutbox();
});

it('delivers every event published while the gateway subscribed again, once each and in order', async () => {
  const subscription = subscribeOverWebSocket(
    stack.gatewayUrl,
    'subscription ($id: ID!) { inventoryChanged(productId: $id) { id stock } }',
    { id: productId },
  );
  subscriptions.push(subscription);
  await firstEvent(subscription, () => restock(1));
  expect(upgraded.size).toBeGreaterThan(0);

  // Older than the subgraph's window, then the connection dies (as with a killed replica).
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  // What arrived before (firstEvent restocks again when the first event is slow to come).
  const before = stocks(subscription.received);
  const last = before.at(-1)!;
  for (const socket of upgraded) socket.destroy();
  upgraded.clear();
  // Published while the gateway is away: only the stream has them.
  await restock(2);
  await restock(3);
  await stack.sql.flushOutbox();

  await eventually(async () => upgraded.size > 0, 'the gateway subscribes again', 15_000);
  const arrived = (count: number) => async () => subscription.received.length >= before.length + count;
  await eventually(arrived(2), 'the events published meanwhile arrive', 15_000);
  // Then live again, on the new connection.
  await restock(4);
  await eventually(arrived(3), 'the next live event arrives', 15_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(stocks(subscription.received)).toEqual([...before, last + 2, last + 5, last + 9]);
}, 60_000);

it("resumes the mongo-subgraph's reviewAdded too: every review written while the gateway subscribed again", async () => {
  /** A review of the product by a new user (one review per user and product), through the gateway as an admin. */
  let written = 0;
  const review = async () => {
    const user = await admin('mutation ($e: String!) { createUser(input: { email: $e, name: "Reviewer" }) { id } }', {
      e: `reviewer-${Date.now()}-${written}@example.com`,
    });
    const title = `review ${++written}`;
    const added = await admin('mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }', {
      input: { productId, userId: user.data!.createUser.id, rating: 5, title, body: '' },
    });
    expect(added.errors).toBeUndefined();
    return title;
  };
  const subscription = subscribeOverWebSocket(
    stack.gatewayUrl,
    'subscription ($id: ID!) { reviewAdded(productId: $id) { title } }',
    { id: productId },
  );
  subscriptions.push(subscription);
  await firstEvent(subscription, review);
  expect(upgradedMongo.size).toBeGreaterThan(0);
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const titles = () =>
    subscription.received.map(
      (result) => (result as { data?: { reviewAdded?: { title: string } } }).data?.reviewAdded?.title,
    );
  const before = titles();
  for (const socket of upgradedMongo) socket.destroy();
  upgradedMongo.clear();
  // Written while the gateway is away: only the stream has them.
  const meanwhile = [await review(), await review()];
  await eventually(async () => upgradedMongo.size > 0, 'the gateway subscribes again', 15_000);
  await eventually(async () => titles().length >= before.length + 2, 'the reviews written meanwhile arrive', 15_000);
  const live = await review();
  await eventually(async () => titles().length >= before.length + 3, 'the next live review arrives', 15_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(titles()).toEqual([...before, ...meanwhile, live]);
}, 60_000);
