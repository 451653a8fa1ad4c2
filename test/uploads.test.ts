import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { asAdmin, errorCodes, graphqlRequest } from '@polystore/testing';
import { userPrefix } from '@polystore/storage-subgraph/keys';
import { startTestStack, type TestStack } from '@polystore/testing/stack';
import { subscribeOverSse, subscribeOverWebSocket, type TestSubscription } from '@polystore/testing/subscriptions';

/**
 * Direct uploads through the gateway: owners checked with the sql-subgraph,
 * bytes straight to S3 with the presigned URL, the asset read back with
 * fields of other subgraphs, `assetUploaded` over graphql-ws and SSE, and a
 * deleted user's avatar removed by the event consumer.
 */
let stack: TestStack;
const subscriptions: TestSubscription[] = [];
let userId: string;
let productId: string;
let orderId: string;

const gql = (query: string, variables?: Record<string, unknown>) =>
  graphqlRequest(stack.gatewayUrl, query, variables, { headers: asAdmin() });

beforeAll(async () => {
  stack = await startTestStack();
  userId = (await gql(`mutation { createUser(input: { email: "up@example.com", name: "Up Loader" }) { id } }`)).data!
    .createUser.id;
  productId = (
    await gql(
      `mutation { createProduct(input: { sku: "UP-1", name: "Tent", price: { amount: 19900, currency: "EUR" }, stock: 5 }) { id } }`,
    )
  ).data!.createProduct.id;
  orderId = (
    await gql(`mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`, {
      input: { userId, items: [{ productId, quantity: 1 }] },
    })
  ).data!.placeOrder.id;
});

afterAll(async () => {
  for (const subscription of subscriptions) await subscription.dispose();
  await stack?.dispose();
});

/** Requests, PUTs and completes one upload through the gateway; returns the completed asset. */
async function upload(ownerType: string, ownerId: string, filename: string, contentType: string, body: Buffer) {
  const requested = await gql(
    `mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { assetId url headers { name value } } }`,
    { input: { ownerType, ownerId, filename, contentType, size: body.length } },
  );
  expect(requested.errors).toBeUndefined();
  const ticket = requested.data!.requestUpload;
  const headers = Object.fromEntries(ticket.headers.map((h: { name: string; value: string }) => [h.name, h.value]));
  expect((await fetch(ticket.url, { method: 'PUT', headers, body: new Uint8Array(body) })).status).toBe(200);
  const completed = await gql(
    `mutation ($input: CompleteUploadInput!) { completeUpload(input: $input) { id filename } }`,
    { input: { assetId: ticket.assetId, ownerId } },
  );
  expect(completed.errors).toBeUndefined();
  return completed.data!.completeUpload as { id: string; filename: string };
}

/** Uploads until a subscription (which starts asynchronously) has seen one; bounded. */
async function firstEvent(received: unknown[]): Promise<unknown> {
  for (let attempt = 0; attempt < 20 && received.length === 0; attempt++) {
    await upload('PRODUCT', productId, 'event.png', 'image/png', Buffer.from(`event ${attempt}`));
    for (let wait = 0; wait < 20 && received.length === 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return received[0];
}

const ASSET_EVENTS = `subscription ($ownerId: ID!) {
  assetUploaded(ownerId: $ownerId) { filename contentType owner { ... on Product { sku name } } }
}`;
const expectedEvent = {
  data: { assetUploaded: { filename: 'event.png', contentType: 'image/png', owner: { sku: 'UP-1', name: 'Tent' } } },
};

describe('uploads through the gateway', () => {
  it('uploads product images, an avatar and an order attachment, and reads them with other subgraphs’ fields', async () => {
    const bytes = Buffer.from('tent photo');
    const image = await upload('PRODUCT', productId, 'Zelt – außen.png', 'image/png', bytes);
    await upload('USER', userId, 'me.jpg', 'image/jpeg', Buffer.from('me'));
    await upload('ORDER', orderId, 'Rechnung.pdf', 'application/pdf', Buffer.from('%PDF-1.7 invoice'));

    const read = await gql(
      `query ($p: ID!, $u: ID!, $o: ID!) {
        product(id: $p) { sku images { id filename url } }
        user(id: $u) { name avatar { filename owner { ... on User { email } } } }
        order(id: $o) { status attachments { filename contentType } }
      }`,
      { p: productId, u: userId, o: orderId },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.product.images.map((i: { filename: string }) => i.filename)).toContain('Zelt – außen.png');
    expect(read.data!.user).toEqual({
      name: 'Up Loader',
      avatar: { filename: 'me.jpg', owner: { email: 'up@example.com' } },
    });
    expect(read.data!.order.attachments).toEqual([{ filename: 'Rechnung.pdf', contentType: 'application/pdf' }]);
    const url = read.data!.product.images.find((i: { id: string }) => i.id === image.id).url;
    const download = await fetch(url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
  });

  it('answers NOT_FOUND for owners that do not exist', async () => {
    const response = await gql(
      `mutation { requestUpload(input: { ownerType: PRODUCT, ownerId: "00000000-0000-4000-8000-000000000000", filename: "a.png", contentType: "image/png", size: 1 }) { assetId } }`,
    );
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
  });

  it('delivers assetUploaded over graphql-ws with fields of the owner', async () => {
    const subscription = subscribeOverWebSocket(stack.gatewayUrl, ASSET_EVENTS, { ownerId: productId });
    subscriptions.push(subscription);
    const { received } = subscription;
    expect(await firstEvent(received)).toEqual(expectedEvent);
  });

  it('delivers the same over server-sent events', async () => {
    const subscription = await subscribeOverSse(stack.gatewayUrl, ASSET_EVENTS, { ownerId: productId });
    expect(subscription.contentType).toContain('text/event-stream');
    expect(await firstEvent(subscription.received)).toEqual(expectedEvent);
    await subscription.dispose();
  });

  it('removes a deleted user’s avatar from the bucket', async () => {
    const doomed = (await gql(`mutation { createUser(input: { email: "gone@example.com", name: "Gone" }) { id } }`))
      .data!.createUser.id as string;
    await upload('USER', doomed, 'gone.png', 'image/png', Buffer.from('gone'));
    const objects = async () =>
      (await stack.s3.client.send(new ListObjectsV2Command({ Bucket: stack.s3.bucket, Prefix: userPrefix(doomed) })))
        .KeyCount ?? 0;
    expect(await objects()).toBe(1);
    const deleted = await gql(`mutation ($id: ID!) { deleteUser(input: { id: $id }) { id } }`, { id: doomed });
    expect(deleted.errors).toBeUndefined();
    await stack.sql.flushOutbox();
    for (let attempt = 0; attempt < 100 && (await objects()) > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await objects()).toBe(0);
  });
});
