import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { uploadThroughGateway } from './support/uploads.js';
import { EVENT_NAMES, type DomainEvent, type EventName } from '@polystore/common';
import {
  asAdmin,
  bearer,
  eventually,
  graphqlRequest,
  sampleFile,
  testToken,
  upsertTestCategory,
} from '@polystore/testing';
import { putProductImage } from '@polystore/storage-subgraph/seed';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Delivery is at least once: the relay appends an event twice when its commit
 * fails after the append, and a consumer that dies before acknowledging gets
 * it again. Consumers do not de-duplicate by event id; their handlers are
 * idempotent instead. This proves it for every event type of the contract:
 * after the whole stack has handled a real history, each type's events are
 * appended again twice (as the relay's duplicate would be), and every
 * consumer group acknowledges them without a dead letter, the second delivery
 * leaving MongoDB and S3 exactly as the first left them.
 */
let stack: TestStack;
let redis: Redis;
let streamKey: string;
const GROUPS = ['mongo-subgraph', 'storage-subgraph'];

const gql = (query: string, variables?: Record<string, unknown>, headers = asAdmin()) =>
  graphqlRequest(stack.gatewayUrl, query, variables, { headers }).then((response) => {
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data!;
  });

/** Every event on the stream, once per event id (the stream may already hold duplicates). */
async function streamEvents(): Promise<DomainEvent[]> {
  const entries = await redis.xrange(streamKey, '-', '+');
  const byId = new Map<string, DomainEvent>();
  for (const [, fields] of entries) {
    const event = JSON.parse(fields[fields.indexOf('event') + 1]!) as DomainEvent;
    byId.set(event.id, event);
  }
  return [...byId.values()];
}

/** Every group has read up to the stream's last entry and holds nothing unacknowledged. */
async function caughtUp(): Promise<boolean> {
  const stream = (await redis.xinfo('STREAM', streamKey)) as unknown[];
  const last = stream[stream.indexOf('last-generated-id') + 1];
  const groups = (await redis.xinfo('GROUPS', streamKey)) as unknown[][];
  return GROUPS.every((name) => {
    const group = groups.find((fields) => fields[fields.indexOf('name') + 1] === name);
    return group && group[group.indexOf('pending') + 1] === 0 && group[group.indexOf('last-delivered-id') + 1] === last;
  });
}

/** What the consumers write: every MongoDB document (but the catch-up's bookkeeping) and every S3 key. */
async function snapshot() {
  const { store } = stack.mongo;
  const documents = async (collection: typeof store.reviews | typeof store.productDetails | typeof store.categories) =>
    JSON.parse(JSON.stringify(await collection.find({}).sort({ _id: 1 }).toArray())) as unknown[];
  const listed = await stack.s3.client.send(new ListObjectsV2Command({ Bucket: stack.s3.bucket }));
  return {
    reviews: await documents(store.reviews),
    productDetails: await documents(store.productDetails),
    categories: await documents(store.categories),
    objects: (listed.Contents ?? []).map((object) => object.Key).sort(),
  };
}

const deadLetters = () => redis.xlen(`${streamKey}:dead`);

beforeAll(async () => {
  stack = await startTestStack();
  redis = new Redis(stack.redis.url);
  streamKey = `${stack.redis.keyPrefix}events`;
  await upsertTestCategory(stack.gatewayUrl, 'idem');

  // A history that produces every event type the contract names.
  const createUser = async (email: string) =>
    (await gql(`mutation ($email: String!) { createUser(input: { email: $email, name: "U" }) { id } }`, { email }))
      .createUser.id as string;
  const buyer = await createUser('buyer@example.com');
  const leaver = await createUser('leaver@example.com');
  const createProduct = async (sku: string) => {
    const id = (
      await gql(
        `mutation ($sku: String!) { createProduct(input: { sku: $sku, name: "Idem", price: { amount: 100, currency: "EUR" }, stock: 10 }) { id } }`,
        { sku },
      )
    ).createProduct.id as string;
    await gql(
      `mutation ($id: ID!) { upsertProductDetails(input: { productId: $id, description: "d", category: "idem" }) { id } }`,
      { id },
    );
    await putProductImage(stack.storage, id, {
      filename: 'a.png',
      contentType: 'image/png',
      body: sampleFile('image/png', sku),
    });
    return id;
  };
  const kept = await createProduct('IDEM-KEPT');
  const doomed = await createProduct('IDEM-GONE');
  // A client's upload (AssetUploaded); the images above were written to S3 directly.
  await uploadThroughGateway(gql, { ownerType: 'PRODUCT', ownerId: kept, filename: 'b.png', contentType: 'image/png' });
  const review = (productId: string, userId: string, rating: number) =>
    gql(
      `mutation ($id: ID!, $rating: Int!) { addReview(input: { productId: $id, rating: $rating, title: "t", body: "b" }) { id } }`,
      { id: productId, rating },
      bearer(testToken({ sub: userId })),
    );
  await review(kept, buyer, 5);
  await review(doomed, buyer, 4);
  await review(kept, leaver, 1);
  await gql(`mutation ($id: ID!) { updateProduct(input: { id: $id, name: "Idem renamed" }) { id } }`, { id: kept });
  const order = (
    await gql(
      `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      { input: { userId: buyer, items: [{ productId: kept, quantity: 2 }] } },
      bearer(testToken({ sub: buyer })),
    )
  ).placeOrder.id as string;
  await gql(`mutation ($id: ID!) { updateOrderStatus(input: { orderId: $id, status: PAID }) { id } }`, { id: order });
  await gql(`mutation ($id: ID!) { deleteUser(input: { id: $id }) { id } }`, { id: leaver });
  await gql(`mutation ($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id: doomed });
  await stack.sql.flushOutbox();
  if (!(await streamEvents()).some((event) => event.type === 'UserUpdated')) {
    // No mutation renames a user; the trigger writes UserUpdated for writes made in SQL. Delivered once here.
    await stack.sql.db.query(`UPDATE users SET name = 'Renamed' WHERE id = $1`, [buyer]).catch(async () => {
      const event = {
        id: 'idem-user-updated',
        type: 'UserUpdated',
        aggregateType: 'User',
        aggregateId: buyer,
        payload: { userId: buyer },
        occurredAt: new Date().toISOString(),
      };
      await redis.xadd(streamKey, '*', 'event', JSON.stringify(event));
    });
    await stack.sql.flushOutbox();
  }
  await eventually(caughtUp, 'every consumer group handled the history', 30_000);
}, 120_000);

afterAll(async () => {
  await redis?.quit();
  await stack?.dispose();
});

describe('every event delivered twice changes nothing the first delivery did not', () => {
  it('the history holds every event type of the contract', async () => {
    const types = new Set((await streamEvents()).map((event) => event.type));
    expect([...types].sort()).toEqual([...EVENT_NAMES].sort());
  });

  it.each(EVENT_NAMES.map((type) => [type]))('%s', async (type: EventName) => {
    const events = (await streamEvents()).filter((event) => event.type === type);
    expect(events.length).toBeGreaterThan(0);
    const deadBefore = await deadLetters();
    // The same event, id and all, as the relay appends it when its commit fails after the append;
    // twice in a row, so both deliveries see the owners in the same state (handlers that copy from
    // the owner, such as the search documents, write what it holds now).
    const deliver = async (round: string) => {
      for (const event of events) await redis.xadd(streamKey, '*', 'event', JSON.stringify(event));
      await eventually(caughtUp, `every consumer group handled the ${round} ${type}`, 30_000);
    };
    await deliver('next');
    const once = await snapshot();
    await deliver('repeated');
    expect(await deadLetters()).toBe(deadBefore);
    expect(await snapshot()).toEqual(once);
  });
});
