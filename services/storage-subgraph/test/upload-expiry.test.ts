import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { eventually } from '@polystore/testing';
import { newAssetKey, pendingKey, pendingMarkerKey, pendingObjectKey } from '../src/store/keys.js';
import { startStorageTestBed, type StorageTestBed } from './support/test-bed.js';

/**
 * An upload never completed is removed after its expiry by the sweeper the
 * service runs itself: a subgraph started with a short upload expiry and
 * sweep interval from config (no clock set by hand), in a bucket of its own
 * because its sweeps cover the whole bucket.
 */
const PRODUCT = randomUUID();

let bed: StorageTestBed;
beforeAll(async () => {
  bed = await startStorageTestBed([PRODUCT], {
    // Uploads expire 5 s after they are asked for; sweeps every second, with no grace.
    UPLOAD_URL_TTL_SECONDS: '5',
    UPLOAD_SWEEP_INTERVAL_SECONDS: '1',
    UPLOAD_SWEEP_GRACE_SECONDS: '0',
  });
});
afterAll(async () => {
  await bed?.dispose();
});

const keys = async () => (await bed.objectKeys()).sort();

it('removes an upload never completed, its pending object, record and marker, once it has expired, and nothing else', async () => {
  // A completed asset (an object with no pending record or marker) must survive every sweep.
  const completed = newAssetKey('products', PRODUCT, 'kept.png');
  await bed.s3.client.send(
    new PutObjectCommand({ Bucket: bed.s3.bucket, Key: completed, Body: 'kept', ContentType: 'image/png' }),
  );

  const body = Buffer.from('abandoned bytes');
  const requested = await bed.gql(
    `mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { key url headers { name value } } }`,
    {
      input: {
        ownerType: 'PRODUCT',
        ownerId: PRODUCT,
        filename: 'abandoned.png',
        contentType: 'image/png',
        size: body.length,
      },
    },
  );
  expect(requested.errors).toBeUndefined();
  const ticket = requested.data!.requestUpload as { key: string; url: string };
  const put = await fetch(ticket.url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body });
  expect(put.status).toBe(200);
  const abandoned = [pendingObjectKey(ticket.key), pendingKey(ticket.key), pendingMarkerKey(ticket.key)];
  // Unless the sweep already ran on a very slow machine, all three are there now.
  const now = await keys();
  if (now.includes(pendingKey(ticket.key))) expect(now).toEqual(expect.arrayContaining(abandoned));

  await eventually(async () => (await keys()).length === 1, 'the abandoned upload is swept after its expiry', 30_000);
  expect(await keys()).toEqual([completed]);
});
