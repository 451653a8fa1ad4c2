import { adminToken, asAdmin, graphqlRequest, sampleFile, testToken, upsertTestCategory } from '@polystore/testing';
import { putProductImage } from '@polystore/storage-subgraph/seed';
import { subscribedStackOfFile } from './support/stack.js';
import {
  firstEvent,
  subscribeOverSse,
  subscribeOverWebSocket,
  type TestSubscription,
} from '@polystore/testing/subscriptions';

/**
 * Subscriptions through the gateway: the event comes from PostgreSQL's
 * outbox via Redis, and each event selects fields that MongoDB and S3 own.
 */
const { stack, subscriptions } = subscribedStackOfFile();
let userId: string;
let productId: string;

beforeAll(async () => {
  const gql = (query: string, variables?: Record<string, unknown>) =>
    graphqlRequest(stack.gatewayUrl, query, variables, { headers: asAdmin() });
  userId = (await gql(`mutation { createUser(input: { email: "sub@example.com", name: "Sub Scriber" }) { id } }`)).data!
    .createUser.id;
  productId = (
    await gql(
      `mutation { createProduct(input: { sku: "SUB-1", name: "Lantern", price: { amount: 2500, currency: "USD" }, stock: 50 }) { id } }`,
    )
  ).data!.createProduct.id;
  await upsertTestCategory(stack.gatewayUrl, 'lighting');
  await gql(
    `mutation ($id: ID!) { upsertProductDetails(input: { productId: $id, description: "Bright", category: "lighting" }) { id } }`,
    {
      id: productId,
    },
  );
  await putProductImage(stack.storage, productId, {
    filename: 'lantern.png',
    contentType: 'image/png',
    body: sampleFile('image/png'),
  });
  await stack.sql.flushOutbox();
});

const ORDER_EVENTS = `subscription ($userId: ID) {
  orderStatusChanged(userId: $userId) {
    status
    user { name }
    items { quantity product { sku details { category } images { filename } } }
  }
}`;

async function placeAndPay(forUser = userId): Promise<string> {
  const placed = await graphqlRequest(
    stack.gatewayUrl,
    `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
    { input: { userId: forUser, items: [{ productId, quantity: 2 }] } },
    { headers: asAdmin() },
  );
  const orderId = placed.data!.placeOrder.id as string;
  await graphqlRequest(
    stack.gatewayUrl,
    `mutation ($id: ID!) { updateOrderStatus(input: { orderId: $id, status: PAID }) { id } }`,
    { id: orderId },
    { headers: asAdmin() },
  );
  return orderId;
}

const expectedEvent = {
  data: {
    orderStatusChanged: {
      status: 'PAID',
      user: { name: 'Sub Scriber' },
      items: [
        {
          quantity: 2,
          product: { sku: 'SUB-1', details: { category: 'lighting' }, images: [{ filename: 'lantern.png' }] },
        },
      ],
    },
  },
};

/** Keeps placing orders until the subscription (which starts asynchronously) sees one; bounded. */
const firstOrderEvent = (subscription: TestSubscription) => firstEvent(subscription, () => placeAndPay());

describe('subscriptions through the gateway', () => {
  it('delivers orderStatusChanged over graphql-ws with fields from all three stores', async () => {
    // As the user whose orders they are.
    const subscription = subscribeOverWebSocket(
      stack.gatewayUrl,
      ORDER_EVENTS,
      { userId },
      { token: testToken({ sub: userId }) },
    );
    subscriptions.push(subscription);
    expect(await firstOrderEvent(subscription)).toEqual(expectedEvent);
  });

  it('delivers the same over server-sent events', async () => {
    const subscription = await subscribeOverSse(stack.gatewayUrl, ORDER_EVENTS, { userId }, { token: adminToken() });
    expect(subscription.contentType).toContain('text/event-stream');
    expect(await firstOrderEvent(subscription)).toEqual(expectedEvent);
    await subscription.dispose();
  });
});

describe('orderStatusChanged is kept to the owner of the order', () => {
  const OWN_EVENTS = `subscription ($orderId: ID, $userId: ID) {
    orderStatusChanged(orderId: $orderId, userId: $userId) { id status user { id } }
  }`;
  let otherUserId: string;
  let othersOrder: string;

  beforeAll(async () => {
    otherUserId = (
      await graphqlRequest(
        stack.gatewayUrl,
        `mutation { createUser(input: { email: "other-sub@example.com", name: "Other" }) { id } }`,
        {},
        { headers: asAdmin() },
      )
    ).data!.createUser.id;
    othersOrder = await placeAndPay(otherUserId);
  });

  /** The first result of a subscription that is refused: an error result or a transport error. */
  async function refusal(variables: Record<string, unknown>, token?: string): Promise<string> {
    const subscription = subscribeOverWebSocket(stack.gatewayUrl, OWN_EVENTS, variables, token ? { token } : {});
    subscriptions.push(subscription);
    for (let wait = 0; wait < 100 && subscription.received.length === 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return JSON.stringify(subscription.received[0] ?? null);
  }

  it('refuses an anonymous subscriber with UNAUTHENTICATED', async () => {
    expect(await refusal({})).toContain('UNAUTHENTICATED');
  });

  it("refuses a subscription to another user's order, or to their id, with FORBIDDEN", async () => {
    const mine = testToken({ sub: userId });
    expect(await refusal({ orderId: othersOrder }, mine)).toContain('FORBIDDEN');
    expect(await refusal({ userId: otherUserId }, mine)).toContain('FORBIDDEN');
  });

  it("delivers a user only their own orders' events without a filter; an admin hears everyone's", async () => {
    const mine = subscribeOverWebSocket(stack.gatewayUrl, OWN_EVENTS, {}, { token: testToken({ sub: userId }) });
    const everyone = subscribeOverWebSocket(stack.gatewayUrl, OWN_EVENTS, {}, { token: adminToken() });
    subscriptions.push(mine, everyone);
    const owners = (received: unknown[]) =>
      new Set(
        received.map(
          (result) =>
            (result as { data: { orderStatusChanged: { user: { id: string } } } }).data.orderStatusChanged.user.id,
        ),
      );
    // Until the user hears one of their own and the admin both kinds (bounded). Each round changes
    // the other user's order first, on the same channel, so a leaked event would arrive first.
    const done = () => mine.received.length > 0 && owners(everyone.received).size === 2;
    for (let attempt = 0; attempt < 20 && !done(); attempt++) {
      await placeAndPay(otherUserId);
      await placeAndPay(userId);
      for (let wait = 0; wait < 20 && !done(); wait++) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(mine.received.length).toBeGreaterThan(0);
    expect(owners(mine.received)).toEqual(new Set([userId]));
    expect(owners(everyone.received)).toEqual(new Set([userId, otherUserId]));
  });
});

const REVIEW_EVENTS = `subscription ($productId: ID!) {
  reviewAdded(productId: $productId) { rating author { name } product { sku price { amount } images { filename } } }
}`;

let reviewers = 0;

/** Adds a review by a new user (one review per user per product). */
async function addReview(): Promise<void> {
  const user = await graphqlRequest(
    stack.gatewayUrl,
    `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
    { input: { email: `reviewer-${reviewers++}@example.com`, name: 'Rev Iewer' } },
    { headers: asAdmin() },
  );
  const added = await graphqlRequest(
    stack.gatewayUrl,
    `mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`,
    { input: { productId, userId: user.data!.createUser.id, rating: 5, title: 'Bright', body: '' } },
    { headers: asAdmin() },
  );
  expect(added.errors).toBeUndefined();
}

/** Keeps adding reviews until the subscription sees one; bounded. */
const firstReview = (subscription: TestSubscription) => firstEvent(subscription, addReview);

const expectedReview = {
  data: {
    reviewAdded: {
      rating: 5,
      author: { name: 'Rev Iewer' },
      product: { sku: 'SUB-1', price: { amount: 2500 }, images: [{ filename: 'lantern.png' }] },
    },
  },
};

describe('reviewAdded through the gateway', () => {
  it('delivers a new review over graphql-ws with the author from PostgreSQL and images from S3', async () => {
    const subscription = subscribeOverWebSocket(stack.gatewayUrl, REVIEW_EVENTS, { productId });
    subscriptions.push(subscription);
    expect(await firstReview(subscription)).toEqual(expectedReview);
  });

  it('delivers the same over server-sent events', async () => {
    const subscription = await subscribeOverSse(stack.gatewayUrl, REVIEW_EVENTS, { productId });
    expect(subscription.contentType).toContain('text/event-stream');
    expect(await firstReview(subscription)).toEqual(expectedReview);
    await subscription.dispose();
  });
});
