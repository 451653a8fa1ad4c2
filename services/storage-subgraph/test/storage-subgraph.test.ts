import { createHash, randomUUID } from 'node:crypto';
import {
  DeleteBucketCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { createLogger, type Teardown } from '@polystore/common';
import {
  errorCodes,
  graphqlRequest,
  sampleFile,
  startFakeEntityOwner,
  startForTest,
  testServiceContext,
  type FakeEntityOwner,
} from '@polystore/testing';
import { testRedis, testS3, type Disposable, type TestS3 } from '@polystore/testing/stores';
import {
  assetIdFromKey,
  pendingKey,
  pendingMarkerKey,
  pendingObjectKey,
  productPrefix,
  uploadIdOfMarker,
} from '../src/keys.js';
import { deleteObject, deletePrefix, readPendingUpload, writePendingUpload } from '../src/objects.js';
import { putProductImage } from '../src/server-writes.js';
import { createS3Store, ensureBucket } from '../src/s3.js';
import { createStorageSubgraph, type StorageSubgraph } from '../src/server.js';
import { sweepExpiredUploads } from '../src/events/sweeper.js';

let url: string;
let subgraph: StorageSubgraph;
let teardown: Teardown;
let s3: TestS3;
let owners: FakeEntityOwner;
const fixtures: Disposable[] = [];
/** S3 commands the service sent, by name. */
const s3Calls: string[] = [];

const PRODUCT = randomUUID();
const USER = randomUUID();
const ORDER = randomUUID();

beforeAll(async () => {
  owners = await startFakeEntityOwner([PRODUCT, USER, ORDER]);
  fixtures.push(owners);
  s3 = await testS3();
  const redis = await testRedis();
  fixtures.push(s3, redis);
  ({
    server: subgraph,
    url,
    teardown,
  } = await startForTest(createStorageSubgraph, {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_URL_TTL_SECONDS: '60',
    UPLOAD_MAX_IMAGE_BYTES: '1000',
    REDIS_URL: redis.serviceUrls.storage,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    SQL_SUBGRAPH_URL: owners.url,
  }));
  subgraph.s3.client.middlewareStack.add(
    (next, context) => (args) => {
      s3Calls.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
});

afterAll(async () => {
  await teardown?.close();
  for (const fixture of fixtures.reverse()) await fixture.dispose();
});

const gql = (query: string, variables?: Record<string, unknown>) => graphqlRequest(url, query, variables);

const REQUEST = `mutation ($input: RequestUploadInput!) {
  requestUpload(input: $input) { assetId key url headers { name value } expiresAt multipart { partSize parts { partNumber url size } } }
}`;
const COMPLETE = `mutation ($input: CompleteUploadInput!) {
  completeUpload(input: $input) { id key filename contentType size checksum ownerType owner { __typename ... on Product { id } ... on User { id } ... on Order { id } } url }
}`;

async function request(input: Record<string, unknown>) {
  const response = await gql(REQUEST, { input });
  return { response, ticket: response.data?.requestUpload };
}

async function upload(
  ownerType: string,
  ownerId: string,
  filename: string,
  contentType: string,
  body: Buffer,
  sent: { contentType?: string } = {},
) {
  const { response, ticket } = await request({ ownerType, ownerId, filename, contentType, size: body.length });
  expect(response.errors).toBeUndefined();
  const put = await fetch(ticket.url, {
    method: 'PUT',
    headers: { 'content-type': sent.contentType ?? contentType },
    body,
  });
  expect(put.status).toBe(200);
  return ticket as { assetId: string; key: string; url: string };
}

const complete = (assetId: string, parts?: unknown) => gql(COMPLETE, { input: { assetId, parts } });

const objectKeys = async (prefix = '') =>
  ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []).map(
    (object) => object.Key!,
  );

const IMAGES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id images { id filename size } } }
}`;

describe('direct uploads', () => {
  it('presigns a PUT bound to key, type and length; completion makes the asset visible and its URL returns the bytes', async () => {
    const bytes = sampleFile('image/png', 'a product image, honestly');
    const ticket = await upload('PRODUCT', PRODUCT, 'Vorderseite – grün.png', 'image/png', bytes);
    expect(ticket.key).toMatch(new RegExp(`^products/${PRODUCT}/[0-9a-f-]{36}/Vorderseite – grün\\.png$`));
    const signed = new URL(ticket.url).searchParams;
    expect(signed.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-type', 'content-length', 'host']),
    );
    expect(signed.get('X-Amz-Expires')).toBe('900');

    // Not visible before completion.
    const before = await gql(IMAGES, { representations: [{ __typename: 'Product', id: PRODUCT }] });
    expect(before.data!._entities[0].images).toEqual([]);

    const completed = await complete(ticket.assetId);
    expect(completed.errors).toBeUndefined();
    expect(completed.data!.completeUpload).toMatchObject({
      id: ticket.assetId,
      filename: 'Vorderseite – grün.png',
      contentType: 'image/png',
      size: bytes.length,
      checksum: createHash('md5').update(bytes).digest('hex'),
      ownerType: 'PRODUCT',
      owner: { __typename: 'Product', id: PRODUCT },
    });
    const after = await gql(IMAGES, { representations: [{ __typename: 'Product', id: PRODUCT }] });
    expect(after.data!._entities[0].images).toEqual([
      { id: ticket.assetId, filename: 'Vorderseite – grün.png', size: bytes.length },
    ]);

    const asset = await gql(`query ($id: ID!) { asset(id: $id) { url(expiresIn: 30) } }`, { id: ticket.assetId });
    const downloadUrl = new URL(asset.data!.asset.url);
    expect(downloadUrl.searchParams.get('X-Amz-Expires')).toBe('30');
    expect(downloadUrl.searchParams.get('response-content-disposition')).toBe(
      `inline; filename="Vorderseite _ gr_n.png"; filename*=UTF-8''Vorderseite%20%E2%80%93%20gr%C3%BCn.png`,
    );
    const download = await fetch(downloadUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(
      downloadUrl.searchParams.get('response-content-disposition'),
    );
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    // Completing again answers the same asset.
    expect((await complete(ticket.assetId)).data!.completeUpload.id).toBe(ticket.assetId);
  });

  it('rejects at completion an object whose size or type differs from the declaration, and deletes it', async () => {
    const declared = await request({
      ownerType: 'ORDER',
      ownerId: ORDER,
      filename: 'invoice.pdf',
      contentType: 'application/pdf',
      size: 10,
    });
    // The URL signs the length and the type, so S3 refuses other ones; completion then finds nothing.
    const wrongSize = await fetch(declared.ticket.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF-twelve'),
    });
    expect(wrongSize.status).toBe(403);
    expect(errorCodes(await complete(declared.ticket.assetId))).toEqual(['BAD_USER_INPUT']);
    expect(await objectKeys(declared.ticket.key)).toEqual([]);

    const { ticket: wrongType } = await request({
      ownerType: 'ORDER',
      ownerId: ORDER,
      filename: 'scan.pdf',
      contentType: 'application/pdf',
      size: 8,
    });
    const put = await fetch(wrongType.url, {
      method: 'PUT',
      headers: { 'content-type': 'text/html' },
      body: Buffer.from('%PDF-1.7'),
    });
    expect(put.status).toBe(403);
    expect(errorCodes(await complete(wrongType.assetId))).toEqual(['BAD_USER_INPUT']);
    expect(await objectKeys(wrongType.key)).toEqual([]);
    expect(await objectKeys(`pending/orders/${ORDER}/`)).toEqual([]);
    // A rejected upload is over: completing it again finds nothing.
    expect(errorCodes(await complete(wrongType.assetId))).toEqual(['NOT_FOUND']);
  });

  it('keeps one avatar per user: a completed avatar replaces the previous one', async () => {
    const first = await upload('USER', USER, 'me.png', 'image/png', sampleFile('image/png', 'first'));
    await complete(first.assetId);
    const second = await upload('USER', USER, 'me-now.jpg', 'image/jpeg', sampleFile('image/jpeg', 'second'));
    await complete(second.assetId);
    const avatar = await gql(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { avatar { id filename } } } }`,
      { r: [{ __typename: 'User', id: USER }] },
    );
    expect(avatar.data!._entities[0].avatar).toEqual({ id: second.assetId, filename: 'me-now.jpg' });
    expect(await objectKeys(first.key)).toEqual([]);
  });

  it('deletes an asset: the object goes and the lists drop it', async () => {
    const ticket = await upload('ORDER', ORDER, 'receipt.png', 'image/png', sampleFile('image/png', 'receipt'));
    await complete(ticket.assetId);
    const attachments = () =>
      gql(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { attachments { id } } } }`, {
        r: [{ __typename: 'Order', id: ORDER }],
      });
    expect((await attachments()).data!._entities[0].attachments).toContainEqual({ id: ticket.assetId });
    const deleted = await gql(`mutation ($id: ID!) { deleteAsset(input: { assetId: $id }) { assetId } }`, {
      id: ticket.assetId,
    });
    expect(deleted.data!.deleteAsset).toEqual({ assetId: ticket.assetId });
    expect(await objectKeys(ticket.key)).toEqual([]);
    expect((await attachments()).data!._entities[0].attachments).not.toContainEqual({ id: ticket.assetId });
    const again = await gql(`mutation ($id: ID!) { deleteAsset(input: { assetId: $id }) { assetId } }`, {
      id: ticket.assetId,
    });
    expect(errorCodes(again)).toEqual(['NOT_FOUND']);
  });

  it('plans a multipart upload above the threshold and completes more than 16 MB from presigned parts', async () => {
    const body = sampleFile('application/pdf', 'a manual', 17 * 1024 * 1024 + 123);
    const { response, ticket } = await request({
      ownerType: 'ORDER',
      ownerId: ORDER,
      filename: 'manual.pdf',
      contentType: 'application/pdf',
      size: body.length,
    });
    expect(response.errors).toBeUndefined();
    expect(ticket.url).toBeNull();
    const parts = ticket.multipart.parts as { partNumber: number; url: string; size: number }[];
    expect(parts.map((part) => part.size)).toEqual([8 * 1024 * 1024, 8 * 1024 * 1024, 1024 * 1024 + 123]);
    let offset = 0;
    const etags: { partNumber: number; etag: string }[] = [];
    for (const part of parts) {
      expect(new URL(part.url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
      const put = await fetch(part.url, { method: 'PUT', body: body.subarray(offset, offset + part.size) });
      expect(put.status).toBe(200);
      etags.push({ partNumber: part.partNumber, etag: put.headers.get('etag')! });
      offset += part.size;
    }
    const completed = await complete(ticket.assetId, etags);
    expect(completed.errors).toBeUndefined();
    expect(completed.data!.completeUpload).toMatchObject({ size: body.length, contentType: 'application/pdf' });
    const download = await fetch(completed.data!.completeUpload.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(body)).toBe(true);
  });

  it('keeps a multipart upload open when its parts are missing, and removes it when they do not fit', async () => {
    const { ticket } = await request({
      ownerType: 'ORDER',
      ownerId: ORDER,
      filename: 'big.pdf',
      contentType: 'application/pdf',
      size: 20 * 1024 * 1024,
    });
    expect(ticket.multipart.parts).toHaveLength(3);
    expect(errorCodes(await complete(ticket.assetId))).toEqual(['BAD_USER_INPUT']);
    expect(await objectKeys(`pending/orders/${ORDER}/`)).toHaveLength(1);
    // A part of another size than planned is refused (each URL signs its length).
    const plan = ticket.multipart.parts as { partNumber: number; url: string; size: number }[];
    expect((await fetch(plan[0]!.url, { method: 'PUT', body: Buffer.from('x') })).status).toBe(403);
    // Every part sent, but one left out of the completion: the object is smaller than declared.
    const body = sampleFile('application/pdf', 'big', 20 * 1024 * 1024);
    const parts: { partNumber: number; etag: string }[] = [];
    for (const part of plan) {
      const offset = (part.partNumber - 1) * ticket.multipart.partSize;
      const put = await fetch(part.url, { method: 'PUT', body: body.subarray(offset, offset + part.size) });
      expect(put.status).toBe(200);
      if (part.partNumber !== 2) parts.push({ partNumber: part.partNumber, etag: put.headers.get('etag')! });
    }
    expect(errorCodes(await complete(ticket.assetId, parts))).toEqual(['BAD_USER_INPUT']);
    expect(await objectKeys(`pending/orders/${ORDER}/`)).toEqual([]);
    expect(await objectKeys(ticket.key)).toEqual([]);
  });

  it('removes an upload never completed once it has expired, and nothing else', async () => {
    const kept = await upload('PRODUCT', PRODUCT, 'kept.png', 'image/png', sampleFile('image/png', 'kept'));
    await complete(kept.assetId);
    const abandoned = await upload('PRODUCT', PRODUCT, 'abandoned.png', 'image/png', Buffer.from('abandoned'));
    const log = createLogger('test', 'silent');
    // Before the expiry nothing goes; after it (and the grace period) the object and its record do.
    await sweepExpiredUploads(subgraph.s3, log);
    expect(await objectKeys(pendingObjectKey(abandoned.key))).toEqual([pendingObjectKey(abandoned.key)]);
    const later = new Date(Date.now() + 24 * 3600 * 1000);
    expect(await sweepExpiredUploads(subgraph.s3, log, later)).toBeGreaterThanOrEqual(1);
    expect(await objectKeys(abandoned.key)).toEqual([]);
    expect(await objectKeys('pending/')).toEqual([]);
    expect(await objectKeys(kept.key)).toEqual([kept.key]);
    expect(errorCodes(await complete(abandoned.assetId))).toEqual(['NOT_FOUND']);
  });
  it('sweeps a record its completion left behind (a crash after the marker went) without touching the asset', async () => {
    const ticket = await upload('PRODUCT', PRODUCT, 'survivor.png', 'image/png', sampleFile('image/png', 'survivor'));
    const record = await readPendingUpload(subgraph.s3, pendingKey(ticket.key));
    expect((await complete(ticket.assetId)).errors).toBeUndefined();
    // As if the service had died between deleting the marker and deleting the record.
    await writePendingUpload(subgraph.s3, record!);
    await deleteObject(subgraph.s3, pendingMarkerKey(ticket.key));
    const later = new Date(Date.now() + 24 * 3600 * 1000);
    expect(await sweepExpiredUploads(subgraph.s3, createLogger('test', 'silent'), later)).toBe(0);
    expect(await objectKeys('pending/')).toEqual([]);
    expect(await objectKeys(ticket.key)).toEqual([ticket.key]);
  });

  it('keeps the markers of pending uploads when an owner’s objects go, so the sweep removes a late PUT', async () => {
    const owner = randomUUID();
    owners.existing.add(owner);
    const { ticket } = await request({
      ownerType: 'PRODUCT',
      ownerId: owner,
      filename: 'late.png',
      contentType: 'image/png',
      size: 4,
    });
    // What the event consumer does on ProductDeleted, then a PUT with the URL handed out before.
    await deletePrefix(subgraph.s3, productPrefix(owner), (key) => uploadIdOfMarker(key) !== null);
    expect(await objectKeys(productPrefix(owner))).toEqual([pendingMarkerKey(ticket.key)]);
    await fetch(ticket.url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: Buffer.from('late') });
    const later = new Date(Date.now() + 24 * 3600 * 1000);
    expect(await sweepExpiredUploads(subgraph.s3, createLogger('test', 'silent'), later)).toBe(1);
    expect(await objectKeys(productPrefix(owner))).toEqual([]);
    expect(await objectKeys(`pending/products/${owner}/`)).toEqual([]);
  });
});

describe('bad input', () => {
  const valid = { ownerType: 'PRODUCT', ownerId: PRODUCT, filename: 'a.png', contentType: 'image/png', size: 10 };

  it.each([
    ['path traversal', { filename: '../../etc/passwd.png' }, 'BAD_USER_INPUT'],
    ['a control character', { filename: 'a\r\nb.png' }, 'BAD_USER_INPUT'],
    ['an empty name', { filename: '' }, 'BAD_USER_INPUT'],
    ['an unknown owner type', { ownerType: 'SHOP' }, 'BAD_USER_INPUT'],
    ['a type outside the rules', { contentType: 'text/html', filename: 'a.html' }, 'BAD_USER_INPUT'],
    ['a PDF on a product', { contentType: 'application/pdf', filename: 'a.pdf' }, 'BAD_USER_INPUT'],
    ['an extension unlike the type', { filename: 'a.exe' }, 'BAD_USER_INPUT'],
    ['a size over the limit', { size: 1001 }, 'BAD_USER_INPUT'],
    ['a size of zero', { size: 0 }, 'BAD_USER_INPUT'],
    ['a fractional size', { size: 1.5 }, 'BAD_USER_INPUT'],
    ['a malformed owner id', { ownerId: 'nope' }, 'BAD_USER_INPUT'],
    ['an unknown product', { ownerId: randomUUID() }, 'NOT_FOUND'],
    ['an unknown user', { ownerType: 'USER', ownerId: randomUUID() }, 'NOT_FOUND'],
    ['an unknown order', { ownerType: 'ORDER', ownerId: randomUUID() }, 'NOT_FOUND'],
  ])('refuses %s with its code and leaves nothing behind', async (_case, change, code) => {
    const before = await objectKeys();
    const { response } = await request({ ...valid, ...change });
    expect(errorCodes(response)).toEqual([code]);
    expect(await objectKeys()).toEqual(before);
  });

  it('refuses completing an unknown upload or a forged id, touching nothing', async () => {
    const ticket = await upload('PRODUCT', PRODUCT, 'mine.png', 'image/png', Buffer.from('mine'));
    const before = await objectKeys();
    const unknown = assetIdFromKey(`products/${PRODUCT}/${randomUUID()}/x.png`);
    expect(errorCodes(await complete(unknown))).toEqual(['NOT_FOUND']);
    for (const forged of ['../../etc/passwd', assetIdFromKey('secrets/config.json'), '']) {
      expect(errorCodes(await complete(forged))).toEqual(['BAD_USER_INPUT']);
      const deleted = await gql(`mutation ($id: ID!) { deleteAsset(input: { assetId: $id }) { assetId } }`, {
        id: forged,
      });
      expect(errorCodes(deleted)).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await gql(`query ($id: ID!) { asset(id: $id) { key } }`, { id: forged }))).toEqual([
        'BAD_USER_INPUT',
      ]);
    }
    // A pending upload is no asset: it cannot be read or deleted before completion.
    expect((await gql(`query ($id: ID!) { asset(id: $id) { key } }`, { id: ticket.assetId })).data!.asset).toBeNull();
    expect(await objectKeys()).toEqual(before);
  });

  it.each([0, -5, 604_801])('refuses a URL expiry of %s seconds', async (expiresIn) => {
    const key = await putProductImage(subgraph, PRODUCT, {
      filename: 'e.png',
      contentType: 'image/png',
      body: sampleFile('image/png', 'e'),
    });
    const response = await gql(`query ($id: ID!, $e: Int) { asset(id: $id) { url(expiresIn: $e) } }`, {
      id: assetIdFromKey(key),
      e: expiresIn,
    });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('listing', () => {
  it.each([10, 100])(
    'lists the images of %i products, half of them without any, with one S3 call per distinct product, then none',
    async (count) => {
      const products = Array.from({ length: count }, () => randomUUID());
      const withImages = products.filter((_, i) => i % 2 === 0);
      for (const productId of withImages) {
        for (const name of ['a.png', 'b.png']) {
          await putProductImage(subgraph, productId, {
            filename: name,
            contentType: 'image/png',
            body: sampleFile('image/png', name),
          });
        }
      }
      // Every product asked for twice in one request: de-duplicated per request.
      const representations = [...products, ...products].map((id) => ({ __typename: 'Product', id }));
      const expected = [...products, ...products].map((id) => (withImages.includes(id) ? 2 : 0));
      s3Calls.length = 0;
      const cold = await gql(IMAGES, { representations });
      expect(cold.errors).toBeUndefined();
      expect(cold.data!._entities.map((p: { images: unknown[] }) => p.images.length)).toEqual(expected);
      expect(s3Calls).toEqual(Array(count).fill('ListObjectsV2Command'));
      // Warm: from Redis, empty lists included.
      s3Calls.length = 0;
      const warm = await gql(IMAGES, { representations });
      expect(warm.data).toEqual(cold.data);
      expect(s3Calls).toEqual([]);
    },
  );

  it('drops a cached list, empty ones included, when an upload completes or an asset is deleted', async () => {
    const productId = randomUUID();
    owners.existing.add(productId);
    const images = async () =>
      (await gql(IMAGES, { representations: [{ __typename: 'Product', id: productId }] })).data!._entities[0]
        .images as { id: string }[];
    expect(await images()).toEqual([]); // cached empty
    const ticket = await upload('PRODUCT', productId, 'new.png', 'image/png', sampleFile('image/png', 'new'));
    expect(await images()).toEqual([]); // pending: still hidden
    expect((await complete(ticket.assetId)).errors).toBeUndefined();
    expect((await images()).map((image) => image.id)).toEqual([ticket.assetId]);
    s3Calls.length = 0;
    await images();
    expect(s3Calls).toEqual([]); // the new list is cached
    const deleted = await gql(`mutation ($id: ID!) { deleteAsset(input: { assetId: $id }) { assetId } }`, {
      id: ticket.assetId,
    });
    expect(deleted.errors).toBeUndefined();
    expect(await images()).toEqual([]);
  });

  it('creates a missing bucket at start-up, with versioning where the server has it', async () => {
    const bucket = `${s3.bucket}-new`;
    const context = testServiceContext({ S3_ENDPOINT: s3.endpoint, S3_BUCKET: bucket });
    const store = createS3Store(context.config, context.teardown);
    await ensureBucket(store, context.log);
    await ensureBucket(store, context.log); // and leaves an existing one alone
    await s3.client.send(new HeadBucketCommand({ Bucket: bucket }));
    const versioning = await s3.client.send(new GetBucketVersioningCommand({ Bucket: bucket })).catch(() => null);
    // The embedded server has no versioning; MinIO and AWS answer Enabled.
    if (versioning?.Status) expect(versioning.Status).toBe('Enabled');
    else await s3.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    await context.teardown.close();
  });

  it('reports ready when the bucket, Redis and its consumer group answer', async () => {
    const response = await fetch(url.replace('/graphql', '/ready'));
    expect(await response.json()).toEqual({ status: 'ready', checks: { s3: 'ok', redis: 'ok', events: 'ok' } });
  });
});
