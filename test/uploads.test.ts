import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  asAdmin,
  bearer,
  errorCodes,
  eventually,
  graphqlRequest,
  sampleFile,
  signedSubgraphRequest,
  testToken,
} from '@polystore/testing';
import { pendingObjectKey, userPrefix } from '@polystore/storage-subgraph/seed';
import { subscribedStackOfFile } from './support/stack.js';
import {
  firstEvent,
  subscribeOverSse,
  subscribeOverWebSocket,
  type TestSubscription,
} from '@polystore/testing/subscriptions';

/**
 * Direct uploads through the gateway: owners checked with the sql-subgraph,
 * rights from the signed claims, bytes straight to S3 with the presigned URL,
 * the asset read back with fields of other subgraphs, `assetUploaded` over
 * graphql-ws and SSE, and a deleted user's avatar removed by the event consumer.
 */
const { stack, subscriptions } = subscribedStackOfFile();
let userId: string;
let productId: string;
let orderId: string;

type Headers = Record<string, string>;
const gql = (query: string, variables?: Record<string, unknown>, headers: Headers = asAdmin()) =>
  graphqlRequest(stack.gatewayUrl, query, variables, { headers });
/** Headers of a request by the signed-in user `sub` (no scope). */
const asUser = (sub: string) => bearer(testToken({ sub }));
const ANONYMOUS: Headers = {};

beforeAll(async () => {
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

const REQUEST_UPLOAD = `mutation ($input: RequestUploadInput!) {
  requestUpload(input: $input) { assetId key url headers { name value } }
}`;
const COMPLETE_UPLOAD = `mutation ($input: CompleteUploadInput!) { completeUpload(input: $input) { id filename } }`;
const DELETE_ASSET = `mutation ($id: ID!) { deleteAsset(input: { assetId: $id }) { assetId } }`;

/** Requests an upload and PUTs its bytes, as `headers`' caller; returns the ticket, not yet completed. */
async function put(
  ownerType: string,
  ownerId: string,
  filename: string,
  contentType: string,
  body: Buffer,
  headers: Headers = asAdmin(),
) {
  const requested = await gql(
    REQUEST_UPLOAD,
    { input: { ownerType, ownerId, filename, contentType, size: body.length } },
    headers,
  );
  expect(requested.errors).toBeUndefined();
  const ticket = requested.data!.requestUpload as { assetId: string; key: string; url: string };
  const putHeaders = Object.fromEntries(
    requested.data!.requestUpload.headers.map((h: { name: string; value: string }) => [h.name, h.value]),
  );
  expect((await fetch(ticket.url, { method: 'PUT', headers: putHeaders, body: new Uint8Array(body) })).status).toBe(
    200,
  );
  return ticket;
}

/** Requests, PUTs and completes one upload through the gateway; returns the completed asset. */
async function upload(
  ownerType: string,
  ownerId: string,
  filename: string,
  contentType: string,
  body: Buffer,
  headers: Headers = asAdmin(),
) {
  const ticket = await put(ownerType, ownerId, filename, contentType, body, headers);
  const completed = await gql(COMPLETE_UPLOAD, { input: { assetId: ticket.assetId } }, headers);
  expect(completed.errors).toBeUndefined();
  return completed.data!.completeUpload as { id: string; filename: string };
}

/** Every key in the stack's bucket: what a refused request must leave as it was. */
const bucketKeys = async () =>
  ((await stack.s3.client.send(new ListObjectsV2Command({ Bucket: stack.s3.bucket }))).Contents ?? [])
    .map((object) => object.Key!)
    .sort();

/** Uploads until a subscription (which starts asynchronously) has seen one; bounded. */
const firstUploadEvent = (subscription: TestSubscription) =>
  firstEvent(subscription, (attempt) =>
    upload('PRODUCT', productId, 'event.png', 'image/png', sampleFile('image/png', `event ${attempt}`)),
  );

const ASSET_EVENTS = `subscription ($ownerId: ID!) {
  assetUploaded(ownerId: $ownerId) { filename contentType owner { ... on Product { sku name } } }
}`;
const expectedEvent = {
  data: { assetUploaded: { filename: 'event.png', contentType: 'image/png', owner: { sku: 'UP-1', name: 'Tent' } } },
};

describe('uploads through the gateway', () => {
  it('uploads product images, an avatar and an order attachment, and reads them with other subgraphs’ fields', async () => {
    const bytes = sampleFile('image/png', 'tent photo');
    const image = await upload('PRODUCT', productId, 'Zelt – außen.png', 'image/png', bytes);
    await upload('USER', userId, 'me.jpg', 'image/jpeg', sampleFile('image/jpeg', 'me'));
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
    expect(await firstUploadEvent(subscription)).toEqual(expectedEvent);
  });

  it('delivers the same over server-sent events', async () => {
    const subscription = await subscribeOverSse(stack.gatewayUrl, ASSET_EVENTS, { ownerId: productId });
    expect(subscription.contentType).toContain('text/event-stream');
    expect(await firstUploadEvent(subscription)).toEqual(expectedEvent);
    await subscription.dispose();
  });

  it('removes a deleted user’s avatar from the bucket', async () => {
    const doomed = (await gql(`mutation { createUser(input: { email: "gone@example.com", name: "Gone" }) { id } }`))
      .data!.createUser.id as string;
    await upload('USER', doomed, 'gone.png', 'image/png', sampleFile('image/png', 'gone'));
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

describe('ownership from the signed claims', () => {
  let otherId: string;
  let owner: Headers;
  let other: Headers;

  beforeAll(async () => {
    otherId = (await gql(`mutation { createUser(input: { email: "other@example.com", name: "Other" }) { id } }`)).data!
      .createUser.id;
    owner = asUser(userId);
    other = asUser(otherId);
  });

  it('lets a user upload their own avatar and attach files to their own order; product images need the admin scope', async () => {
    await upload('USER', userId, 'mine.png', 'image/png', sampleFile('image/png', 'my face'), owner);
    await upload('ORDER', orderId, 'receipt.pdf', 'application/pdf', Buffer.from('%PDF-1.7 receipt'), owner);
    const before = await bucketKeys();
    const image = { ownerType: 'PRODUCT', ownerId: productId, filename: 'p.png', contentType: 'image/png', size: 3 };
    expect(errorCodes(await gql(REQUEST_UPLOAD, { input: image }, owner))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await gql(REQUEST_UPLOAD, { input: image }, ANONYMOUS))).toEqual(['UNAUTHENTICATED']);
    expect(await bucketKeys()).toEqual(before);
  });

  it('refuses an upload for another user’s avatar or order, touching nothing', async () => {
    const before = await bucketKeys();
    for (const [ownerType, ownerId, filename, contentType] of [
      ['USER', userId, 'not-me.png', 'image/png'],
      ['ORDER', orderId, 'fake.pdf', 'application/pdf'],
    ]) {
      const input = { ownerType, ownerId, filename, contentType, size: 3 };
      expect(errorCodes(await gql(REQUEST_UPLOAD, { input }, other))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await gql(REQUEST_UPLOAD, { input }, ANONYMOUS))).toEqual(['UNAUTHENTICATED']);
    }
    expect(await bucketKeys()).toEqual(before);
  });

  it('lets only the requester (or an admin) complete an upload', async () => {
    const ticket = await put('USER', userId, 'pending.png', 'image/png', sampleFile('image/png', 'pending'), owner);
    const before = await bucketKeys();
    expect(before).toContain(pendingObjectKey(ticket.key));
    for (const [caller, code] of [
      [other, 'FORBIDDEN'],
      [ANONYMOUS, 'UNAUTHENTICATED'],
    ] as const) {
      const refused = await gql(COMPLETE_UPLOAD, { input: { assetId: ticket.assetId } }, caller);
      expect(errorCodes(refused)).toEqual([code]);
    }
    // The pending object and its record are untouched, and its requester can still complete it.
    expect(await bucketKeys()).toEqual(before);
    const completed = await gql(COMPLETE_UPLOAD, { input: { assetId: ticket.assetId } }, owner);
    expect(completed.errors).toBeUndefined();
    // Completing again answers the asset to those who may manage it, and to no one else.
    expect(errorCodes(await gql(COMPLETE_UPLOAD, { input: { assetId: ticket.assetId } }, other))).toEqual([
      'FORBIDDEN',
    ]);
  });

  it('refuses deleting another user’s asset, touching nothing', async () => {
    const avatar = await upload('USER', userId, 'keep-me.png', 'image/png', sampleFile('image/png', 'keep'), owner);
    const attachment = await upload('ORDER', orderId, 'keep.pdf', 'application/pdf', Buffer.from('%PDF-1.7'), owner);
    const before = await bucketKeys();
    for (const asset of [avatar, attachment]) {
      expect(errorCodes(await gql(DELETE_ASSET, { id: asset.id }, other))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await gql(DELETE_ASSET, { id: asset.id }, ANONYMOUS))).toEqual(['UNAUTHENTICATED']);
    }
    expect(await bucketKeys()).toEqual(before);
    // Its owner may.
    expect((await gql(DELETE_ASSET, { id: attachment.id }, owner)).data!.deleteAsset).toEqual({
      assetId: attachment.id,
    });
  });

  it('gives an order attachment’s URL only to the order’s owner or an admin; images and avatars are public', async () => {
    const attachment = await upload(
      'ORDER',
      orderId,
      'private.pdf',
      'application/pdf',
      Buffer.from('%PDF-1.7 x'),
      owner,
    );
    const avatar = await upload(
      'USER',
      userId,
      'public.png',
      'image/png',
      sampleFile('image/png', 'public face'),
      owner,
    );
    const image = await upload('PRODUCT', productId, 'public.png', 'image/png', sampleFile('image/png', 'public tent'));
    const url = (id: string, headers: Headers) => gql(`query ($id: ID!) { asset(id: $id) { url } }`, { id }, headers);

    expect(errorCodes(await url(attachment.id, other))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await url(attachment.id, ANONYMOUS))).toEqual(['UNAUTHENTICATED']);
    for (const headers of [owner, asAdmin()]) {
      const answer = await url(attachment.id, headers);
      expect(answer.errors).toBeUndefined();
      expect(Buffer.from(await (await fetch(answer.data!.asset.url)).arrayBuffer()).toString()).toBe('%PDF-1.7 x');
    }
    for (const id of [avatar.id, image.id]) {
      const answer = await url(id, ANONYMOUS);
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.asset.url).toMatch(/^http/);
    }
    // The list of an order's attachments, reached around order(id) through an asset's owner, is guarded too.
    const around = await gql(
      `query ($id: ID!) { asset(id: $id) { owner { ... on Order { attachments { filename } } } } }`,
      { id: attachment.id },
      other,
    );
    expect(errorCodes(around)).toEqual(['FORBIDDEN']);
  });

  it('reaches an order through its attachment only as the order’s owner or an admin', async () => {
    const attachment = await upload('ORDER', orderId, 'path.pdf', 'application/pdf', Buffer.from('%PDF-1.7 p'), owner);
    // The asset is the storage-subgraph's; its owner Order the gateway fetches from the sql-subgraph by reference.
    const THROUGH = `query ($id: ID!) {
      asset(id: $id) { filename owner { ... on Order { id status total { amount } items { quantity } } } }
    }`;
    for (const [caller, code] of [
      [ANONYMOUS, 'UNAUTHENTICATED'],
      [other, 'FORBIDDEN'],
    ] as const) {
      const refused = await gql(THROUGH, { id: attachment.id }, caller);
      expect(errorCodes(refused)).toEqual([code]);
      expect(refused.data?.asset ?? null).toBeNull();
      expect(JSON.stringify(refused)).not.toMatch(/path\.pdf|PENDING|amount/);
    }
    // Straight to the storage-subgraph by reference, signed: the attachment and the order's list keep the same rule.
    const byReference = `query ($id: ID!, $order: ID!) {
      _entities(representations: [{ __typename: "Asset", id: $id }, { __typename: "Order", id: $order }]) {
        ... on Asset { filename }
        ... on Order { attachments { filename } }
      }
    }`;
    for (const [claims, code] of [
      [undefined, 'UNAUTHENTICATED'],
      [{ sub: otherId }, 'FORBIDDEN'],
    ] as const) {
      const refused = await signedSubgraphRequest(
        stack.subgraphUrls.storage,
        byReference,
        { id: attachment.id, order: orderId },
        claims,
      );
      expect(errorCodes(refused)).toEqual([code, code]);
      expect(JSON.stringify(refused)).not.toContain('path.pdf');
    }
    const own = await signedSubgraphRequest(
      stack.subgraphUrls.storage,
      byReference,
      { id: attachment.id, order: orderId },
      { sub: userId },
    );
    expect(own.errors).toBeUndefined();
    expect(own.data!._entities[0]).toEqual({ filename: 'path.pdf' });
    for (const caller of [owner, asAdmin()]) {
      const allowed = await gql(THROUGH, { id: attachment.id }, caller);
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data!.asset).toEqual({
        filename: 'path.pdf',
        owner: { id: orderId, status: 'PENDING', total: { amount: 19900 }, items: [{ quantity: 1 }] },
      });
    }
  });

  it('lets only the order’s owner or an admin subscribe to its uploads', async () => {
    const ORDER_EVENTS = `subscription ($ownerId: ID!) { assetUploaded(ownerId: $ownerId) { filename } }`;
    // Refused at subscribe time, with the subgraph's code.
    const refusals: TestSubscription[] = [];
    for (const [token, code] of [
      [testToken({ sub: otherId }), 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      const refused = await subscribeOverSse(stack.gatewayUrl, ORDER_EVENTS, { ownerId: orderId }, { token });
      refusals.push(refused);
      await eventually(async () => refused.received.length > 0, 'the subscription is refused');
      expect(errorCodes(refused.received[0] as { errors?: [] })).toEqual([code]);
    }
    const allowed = await subscribeOverSse(
      stack.gatewayUrl,
      ORDER_EVENTS,
      { ownerId: orderId },
      {
        token: testToken({ sub: userId }),
      },
    );
    subscriptions.push(allowed);
    // Uploads until the subscription (which starts asynchronously) has seen one; bounded.
    const seen = await firstEvent(allowed, () =>
      upload('ORDER', orderId, 'seen.pdf', 'application/pdf', Buffer.from('%PDF-1.7 seen'), owner),
    );
    expect(seen).toEqual({ data: { assetUploaded: { filename: 'seen.pdf' } } });
    // The refused got no event: their refusal, then at most the end of the stream.
    for (const refused of refusals) {
      expect(refused.received.slice(1).every((result) => 'complete' in (result as object))).toBe(true);
      await refused.dispose();
    }
  });
});
