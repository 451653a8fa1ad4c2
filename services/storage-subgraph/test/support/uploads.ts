import { randomUUID } from 'node:crypto';
import { startedOncePerFile } from '@polystore/testing';
import { startStorageTestBed, type StorageTestBed } from './test-bed.js';

/**
 * The configuration the upload tests run with: images up to 1,000 bytes (the
 * bad-input tests send 1,001) and GET URLs valid for 60 seconds.
 */
export const UPLOAD_TEST_ENV = { S3_URL_TTL_SECONDS: '60', UPLOAD_MAX_IMAGE_BYTES: '1000' };

export const REQUEST = `mutation ($input: RequestUploadInput!) {
  requestUpload(input: $input) { assetId key url headers { name value } expiresAt multipart { partSize parts { partNumber url size } } }
}`;
export const COMPLETE = `mutation ($input: CompleteUploadInput!) {
  completeUpload(input: $input) { id key filename contentType size checksum ownerType owner { __typename ... on Product { id } ... on User { id } ... on Order { id } } url }
}`;
/** A product's completed images, read as the gateway does (an entity reference). */
export const IMAGES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id images { id filename size } } }
}`;

/**
 * A client's side of an upload against the bed a test file started (read when
 * called, so it can be made before `beforeAll` runs): ask for it, PUT the
 * bytes with the presigned URL, complete it.
 */
export function uploadsThrough(bed: () => StorageTestBed) {
  async function request(input: Record<string, unknown>) {
    const response = await bed().gql(REQUEST, { input });
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

  const complete = (assetId: string, parts?: unknown) => bed().gql(COMPLETE, { input: { assetId, parts } });

  return { request, upload, complete };
}

/**
 * What an upload test file shares: a product, a user and an order that exist
 * for the reference checks, the bed started for the file with UPLOAD_TEST_ENV
 * (beforeAll to afterAll), and a client's side of an upload against it.
 */
export function uploadTestFile() {
  const owners = { product: randomUUID(), user: randomUUID(), order: randomUUID() };
  const bed = startedOncePerFile(() => startStorageTestBed(Object.values(owners), UPLOAD_TEST_ENV));
  return { ...owners, bed, ...uploadsThrough(() => bed) };
}
