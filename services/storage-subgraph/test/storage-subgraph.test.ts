import { createHash, randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Teardown } from '@polystore/common';
import { errorCodes, graphqlRequest, startForTest } from '@polystore/testing';
import { testRedis, testS3, type Disposable, type TestS3 } from '@polystore/testing/stores';
import { assetIdFromKey } from '../src/keys.js';
import { putProductImage } from '../src/objects.js';
import { createStorageSubgraph, type StorageSubgraph } from '../src/server.js';

let url: string;
let subgraph: StorageSubgraph;
let teardown: Teardown;
let s3: TestS3;
const fixtures: Disposable[] = [];

beforeAll(async () => {
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
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
  }));
});

afterAll(async () => {
  await teardown?.close();
  for (const fixture of fixtures.reverse()) await fixture.dispose();
});

const IMAGES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Product { id images { id key filename contentType size checksum url urlExpiresAt } }
  }
}`;

describe('product images', () => {
  it('lists the objects under each product prefix, oldest first, with presigned URLs that return the bytes', async () => {
    const productId = randomUUID();
    const otherProduct = randomUUID();
    const first = Buffer.from('first image bytes');
    const second = Buffer.from('second image bytes');
    const firstKey = await putProductImage(subgraph.s3, productId, {
      filename: 'front.png',
      contentType: 'image/png',
      body: first,
    });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // S3 LastModified has one-second resolution
    await putProductImage(subgraph.s3, productId, { filename: 'back.JPG', contentType: 'image/jpeg', body: second });
    await putProductImage(subgraph.s3, otherProduct, {
      filename: 'x.png',
      contentType: 'image/png',
      body: Buffer.from('x'),
    });

    const response = await graphqlRequest(url, IMAGES, {
      representations: [
        { __typename: 'Product', id: productId },
        { __typename: 'Product', id: randomUUID() },
      ],
    });
    expect(response.errors).toBeUndefined();
    const [withImages, withoutImages] = response.data!._entities;
    expect(withoutImages.images).toEqual([]);
    expect(withImages.images).toHaveLength(2);
    const [front, back] = withImages.images;
    expect(front).toMatchObject({
      id: assetIdFromKey(firstKey),
      key: firstKey,
      filename: 'front.png',
      contentType: 'image/png',
      size: first.length,
      checksum: createHash('sha256').update(first).digest('hex'),
    });
    expect(back.key).toMatch(new RegExp(`^products/${productId}/images/[0-9a-f-]{36}\\.jpg$`));

    const download = await fetch(front.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(first);
    const expiresIn = new Date(front.urlExpiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(60_000);
    expect(new URL(front.url).searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('falls back to the key and ETag for objects written without metadata', async () => {
    const productId = randomUUID();
    const key = `products/${productId}/images/${randomUUID()}.gif`;
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'gif', ContentType: 'image/gif' }));
    const response = await graphqlRequest(url, IMAGES, { representations: [{ __typename: 'Product', id: productId }] });
    const [image] = response.data!._entities[0].images;
    expect(image.filename).toBe(key.slice(key.lastIndexOf('/') + 1));
    expect(image.checksum).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('asset lookup', () => {
  it('resolves an asset by id, null for a missing object, and BAD_USER_INPUT for a forged id', async () => {
    const key = await putProductImage(subgraph.s3, randomUUID(), {
      filename: 'a.png',
      contentType: 'image/png',
      body: Buffer.from('a'),
    });
    const found = await graphqlRequest(url, `query ($id: ID!) { asset(id: $id) { key filename } }`, {
      id: assetIdFromKey(key),
    });
    expect(found.data!.asset).toEqual({ key, filename: 'a.png' });

    const missing = assetIdFromKey(`products/${randomUUID()}/images/${randomUUID()}.png`);
    expect(
      (await graphqlRequest(url, `query ($id: ID!) { asset(id: $id) { key } }`, { id: missing })).data!.asset,
    ).toBeNull();

    for (const forged of ['../../etc/passwd', assetIdFromKey('secrets/config.json'), '']) {
      const response = await graphqlRequest(url, `query ($id: ID!) { asset(id: $id) { key } }`, { id: forged });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('reports ready when the bucket answers', async () => {
    const response = await fetch(url.replace('/graphql', '/ready'));
    expect(await response.json()).toEqual({ status: 'ready', checks: { s3: 'ok' } });
  });
});
