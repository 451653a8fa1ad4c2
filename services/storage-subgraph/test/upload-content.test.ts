import { randomUUID } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createLogger } from '@polystore/common';
import { errorCodes, sampleFile } from '@polystore/testing';
import { assetIdFromKey, pendingKey, pendingMarkerKey, pendingObjectKey } from '../src/store/keys.js';
import { putServerAsset } from '../src/store/server-writes.js';
import { sweepExpiredUploads } from '../src/events/sweeper.js';
import { startStorageTestBed, type StorageTestBed } from './support/test-bed.js';

/**
 * What is served is what was checked: presigned URLs write only an upload's
 * pending object, completion checks its size, type and magic number and
 * copies it to the served key, and nothing sent with the URL afterwards
 * reaches what is served. Against the embedded S3, which checks signatures.
 */
const PRODUCT = randomUUID();
const USER = randomUUID();
const ORDER = randomUUID();
const HTML = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');

let bed: StorageTestBed;
beforeAll(async () => {
  bed = await startStorageTestBed([PRODUCT, USER, ORDER], {
    // Multipart from S3's smallest part on, so a plan needs only 5 MiB.
    UPLOAD_MULTIPART_THRESHOLD_BYTES: String(5 * 1024 * 1024),
  });
});
afterAll(async () => {
  await bed?.dispose();
});

interface Ticket {
  assetId: string;
  key: string;
  url: string;
}

/** Asks for an upload and PUTs `body` with the presigned URL; returns the ticket and the PUT's status. */
async function send(ownerType: string, ownerId: string, filename: string, contentType: string, body: Buffer) {
  const requested = await bed.gql(
    `mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { assetId key url } }`,
    { input: { ownerType, ownerId, filename, contentType, size: body.length } },
  );
  expect(requested.errors).toBeUndefined();
  const ticket = requested.data!.requestUpload as Ticket;
  const put = await fetch(ticket.url, { method: 'PUT', headers: { 'content-type': contentType }, body });
  return { ticket, status: put.status };
}

const complete = (assetId: string) =>
  bed.gql(`mutation ($id: ID!) { completeUpload(input: { assetId: $id }) { id contentType size url } }`, {
    id: assetId,
  });

/** The served object as S3 has it: bytes (by the asset's own presigned URL) and content type. */
async function served(assetId: string) {
  const answer = await bed.gql(`query ($id: ID!) { asset(id: $id) { url } }`, { id: assetId });
  const download = await fetch(answer.data!.asset.url);
  return { type: download.headers.get('content-type'), bytes: Buffer.from(await download.arrayBuffer()) };
}

describe('a presigned PUT writes only a pending object', () => {
  it('puts the bytes under pending/, never at the key that is served', async () => {
    const body = sampleFile('image/png', 'pending');
    const { ticket, status } = await send('PRODUCT', PRODUCT, 'pending.png', 'image/png', body);
    expect(status).toBe(200);
    expect(new URL(ticket.url).pathname).toBe(`/${bed.s3.bucket}/${pendingObjectKey(ticket.key)}`);
    expect(await bed.objectKeys(ticket.key)).toEqual([]);
    expect(await bed.objectKeys(pendingObjectKey(ticket.key))).toEqual([pendingObjectKey(ticket.key)]);
    expect((await complete(ticket.assetId)).errors).toBeUndefined();
    expect(await bed.objectKeys(ticket.key)).toEqual([ticket.key]);
    expect(await bed.objectKeys(pendingKey(ticket.key))).toEqual([]); // record and pending object gone
    expect(await bed.objectKeys(pendingMarkerKey(ticket.key))).toEqual([]);
  });

  it('leaves the served bytes and type unchanged when the URL is replayed after completion', async () => {
    const avatar = sampleFile('image/png', 'a 100-byte avatar', 100);
    const { ticket } = await send('USER', USER, 'avatar.png', 'image/png', avatar);
    const completed = await complete(ticket.assetId);
    expect(completed.data!.completeUpload).toMatchObject({ contentType: 'image/png', size: 100 });

    // The same URL again, with HTML of the signed length and type: accepted by S3, but only as a pending object.
    const replay = await fetch(ticket.url, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: Buffer.concat([HTML, Buffer.alloc(100 - HTML.length, 0x20)]),
    });
    expect(replay.status).toBe(200);
    expect(await served(ticket.assetId)).toEqual({ type: 'image/png', bytes: avatar });
    // Completing again answers the asset as it is; nothing is copied.
    expect((await complete(ticket.assetId)).data!.completeUpload).toMatchObject({ size: 100 });
    expect(await served(ticket.assetId)).toEqual({ type: 'image/png', bytes: avatar });

    // A longer body than signed is refused outright, and the sweep removes the replayed bytes at once
    // (their upload is over), leaving the asset alone.
    const longer = await fetch(ticket.url, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: Buffer.alloc(3 * 1024 * 1024, 0x3c),
    });
    expect(longer.status).toBe(403);
    expect(await bed.objectKeys(pendingObjectKey(ticket.key))).toEqual([pendingObjectKey(ticket.key)]);
    expect(await sweepExpiredUploads(bed.subgraph.s3, createLogger('test', 'silent'))).toBe(0);
    expect(await bed.objectKeys(`pending/users/${USER}/`)).toEqual([]);
    expect(await served(ticket.assetId)).toEqual({ type: 'image/png', bytes: avatar });
  });
});

describe('completion checks the bytes against the declared type', () => {
  it.each([
    { ownerType: 'PRODUCT', ownerId: PRODUCT, filename: 'front.png', type: 'image/png' },
    { ownerType: 'PRODUCT', ownerId: PRODUCT, filename: 'front.jpg', type: 'image/jpeg' },
    { ownerType: 'PRODUCT', ownerId: PRODUCT, filename: 'spin.gif', type: 'image/gif' },
    { ownerType: 'PRODUCT', ownerId: PRODUCT, filename: 'front.webp', type: 'image/webp' },
    { ownerType: 'ORDER', ownerId: ORDER, filename: 'invoice.pdf', type: 'application/pdf' },
  ])('accepts $filename of real $type bytes and serves it as $type', async ({ ownerType, ownerId, filename, type }) => {
    const body = sampleFile(type, filename);
    const { ticket, status } = await send(ownerType, ownerId, filename, type, body);
    expect(status).toBe(200);
    const completed = await complete(ticket.assetId);
    expect(completed.errors).toBeUndefined();
    expect(completed.data!.completeUpload).toMatchObject({ contentType: type, size: body.length });
    const head = await bed.s3.client.send(new HeadObjectCommand({ Bucket: bed.s3.bucket, Key: ticket.key }));
    expect(head.ContentType).toBe(type);
    expect(await served(ticket.assetId)).toEqual({ type, bytes: body });
  });

  it.each([
    ['image/png', HTML],
    ['image/jpeg', HTML],
    ['image/gif', HTML],
    ['image/webp', HTML],
    ['image/png', sampleFile('image/jpeg', 'a JPEG')],
    ['image/webp', Buffer.concat([Buffer.from('RIFF\u0024\u0000\u0000\u0000AVI LIST'), HTML])],
  ])('refuses %s declared over other bytes with BAD_USER_INPUT and deletes them', async (type, body) => {
    const extension = type.split('/')[1]!.replace('jpeg', 'jpg');
    const { ticket, status } = await send('PRODUCT', PRODUCT, `fake.${extension}`, type, body);
    expect(status).toBe(200);
    const completed = await complete(ticket.assetId);
    expect(errorCodes(completed)).toEqual(['BAD_USER_INPUT']);
    expect(completed.errors![0]!.message).toMatch(/magic number/);
    // The pending object, its record and marker, and the copy the check read: all gone.
    expect(await bed.objectKeys(pendingKey(ticket.key))).toEqual([]);
    expect(await bed.objectKeys(`products/${PRODUCT}/${ticket.key.split('/')[2]}`)).toEqual([]);
    expect(
      (await bed.gql(`query ($id: ID!) { asset(id: $id) { id } }`, { id: ticket.assetId })).data!.asset,
    ).toBeNull();
    expect(errorCodes(await complete(ticket.assetId))).toEqual(['NOT_FOUND']);
  });

  it('refuses a PDF attachment that is HTML', async () => {
    const { ticket } = await send('ORDER', ORDER, 'invoice.pdf', 'application/pdf', HTML);
    expect(errorCodes(await complete(ticket.assetId))).toEqual(['BAD_USER_INPUT']);
    expect(await bed.objectKeys(pendingKey(ticket.key))).toEqual([]);
  });
});

describe('a multipart completion with parts never uploaded', () => {
  it('is refused with BAD_USER_INPUT, discards the upload, and S3 keeps serving', async () => {
    const requested = await bed.gql(
      `mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { assetId key multipart { parts { partNumber } } } }`,
      {
        input: {
          ownerType: 'ORDER',
          ownerId: ORDER,
          filename: 'forged.pdf',
          contentType: 'application/pdf',
          size: 5 * 1024 * 1024,
        },
      },
    );
    const ticket = requested.data!.requestUpload as { assetId: string; key: string; multipart: { parts: unknown[] } };
    expect(ticket.multipart.parts).toHaveLength(1);
    // ETags made up, for the planned part and for one never planned; no byte was sent.
    const parts = [
      { partNumber: 1, etag: '"0123456789abcdef0123456789abcdef"' },
      { partNumber: 2, etag: '"made-up"' },
    ];
    const completed = await bed.gql(
      `mutation ($input: CompleteUploadInput!) { completeUpload(input: $input) { id } }`,
      {
        input: { assetId: ticket.assetId, parts },
      },
    );
    expect(errorCodes(completed)).toEqual(['BAD_USER_INPUT']);
    expect(completed.errors![0]!.message).toMatch(/the parts do not form the upload \(InvalidPart\)/);
    expect(await bed.objectKeys(`pending/orders/${ORDER}/`)).toEqual([]);
    expect(await bed.objectKeys(ticket.key)).toEqual([]);
    expect(errorCodes(await complete(ticket.assetId))).toEqual(['NOT_FOUND']);

    // The same S3 server answers on: a signed listing above, and an upload end to end.
    const body = sampleFile('application/pdf', 'after the forged parts');
    const { ticket: next, status } = await send('ORDER', ORDER, 'after.pdf', 'application/pdf', body);
    expect(status).toBe(200);
    expect((await complete(next.assetId)).errors).toBeUndefined();
    expect(await served(next.assetId)).toEqual({ type: 'application/pdf', bytes: body });
  });
});

describe('server-side writes', () => {
  const writer = () => bed.subgraph;

  it('go through the same check: real bytes are stored, mislabelled ones refused and removed', async () => {
    const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>');
    const key = await putServerAsset(writer(), 'products', PRODUCT, {
      filename: 'demo.svg',
      contentType: 'image/svg+xml',
      body: svg,
    });
    expect(await served(assetIdFromKey(key))).toEqual({ type: 'image/svg+xml', bytes: svg });

    for (const [filename, contentType, body] of [
      ['fake.png', 'image/png', HTML],
      ['fake.svg', 'image/svg+xml', sampleFile('image/png')],
    ] as const) {
      await expect(putServerAsset(writer(), 'products', PRODUCT, { filename, contentType, body })).rejects.toThrow(
        /was not stored/,
      );
    }
    expect(await bed.objectKeys(`pending/products/${PRODUCT}/`)).toEqual([]);
    const images = await bed.gql(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { images { filename } } } }`,
      { r: [{ __typename: 'Product', id: PRODUCT }] },
    );
    expect(images.data!._entities[0].images.map((image: { filename: string }) => image.filename)).not.toContain(
      'fake.png',
    );
  });
});
