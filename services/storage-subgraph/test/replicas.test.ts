import { randomUUID } from 'node:crypto';
import type { Teardown } from '@polystore/common';
import { graphqlRequest, sampleFile, startFakeEntityOwner, startForTest } from '@polystore/testing';
import { startPrivateRedis, testS3, type Disposable, type PrivateServer } from '@polystore/testing/stores';
import { putProductImage } from '../src/store/server-writes.js';
import { createStorageSubgraph, type StorageSubgraph } from '../src/server.js';

/**
 * Two replicas of the storage-subgraph over one bucket and one Redis: an
 * upload requested on one completes on the other, each sees the other's
 * writes through the shared cache, and uploads keep working while Redis is down.
 */
const PRODUCT = randomUUID();
const replicas: { url: string; server: StorageSubgraph; teardown: Teardown }[] = [];
const fixtures: Disposable[] = [];
let redis: PrivateServer;

beforeAll(async () => {
  const owners = await startFakeEntityOwner([PRODUCT]);
  const s3 = await testS3();
  redis = await startPrivateRedis();
  fixtures.push(owners, s3, redis);
  const env = {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: 'replicas:',
    SQL_SUBGRAPH_URL: owners.url,
  };
  for (let i = 0; i < 2; i++) replicas.push(await startForTest(createStorageSubgraph, env));
});

afterAll(async () => {
  for (const { teardown } of replicas.reverse()) await teardown.close();
  for (const fixture of fixtures.reverse()) await fixture.dispose();
});

async function uploadAcross(filename: string) {
  const [a, b] = replicas;
  const body = sampleFile('image/png', filename);
  const requested = await graphqlRequest(
    a!.url,
    `mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { assetId url } }`,
    { input: { ownerType: 'PRODUCT', ownerId: PRODUCT, filename, contentType: 'image/png', size: body.length } },
  );
  expect(requested.errors).toBeUndefined();
  const { assetId, url } = requested.data!.requestUpload;
  await fetch(url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body });
  const completed = await graphqlRequest(
    b!.url,
    `mutation ($input: CompleteUploadInput!) { completeUpload(input: $input) { id } }`,
    { input: { assetId } },
  );
  expect(completed.errors).toBeUndefined();
  return assetId as string;
}

const imagesOn = async (url: string) =>
  (
    await graphqlRequest(
      url,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { images { filename } } } }`,
      { r: [{ __typename: 'Product', id: PRODUCT }] },
    )
  ).data!._entities[0].images.map((image: { filename: string }) => image.filename);

describe('two replicas', () => {
  it('complete each other’s uploads, and a list cached by one is dropped when the other completes', async () => {
    await putProductImage(replicas[0]!.server, PRODUCT, {
      filename: 'seed.png',
      contentType: 'image/png',
      body: sampleFile('image/png', 'seed'),
    });
    expect(await imagesOn(replicas[0]!.url)).toEqual(['seed.png']); // now cached in Redis
    await uploadAcross('across.png');
    expect((await imagesOn(replicas[0]!.url)).sort()).toEqual(['across.png', 'seed.png']);
  });

  it('keep uploading and listing while Redis is down', async () => {
    await redis.stop();
    try {
      const assetId = await uploadAcross('offline.png');
      expect(await imagesOn(replicas[0]!.url)).toContain('offline.png');
      expect(await imagesOn(replicas[1]!.url)).toContain('offline.png');
      const again = await graphqlRequest(
        replicas[0]!.url,
        `mutation ($input: CompleteUploadInput!) { completeUpload(input: $input) { id } }`,
        { input: { assetId } },
      );
      // Completing again on the other replica answers the same asset, from S3 alone.
      expect(again.data!.completeUpload).toEqual({ id: assetId });
    } finally {
      await redis.start();
    }
  });
});
