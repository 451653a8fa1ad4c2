import { DeleteBucketCommand, GetBucketVersioningCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { testServiceContext } from '@polystore/testing';
import { createS3Store, ensureBucket } from '../src/store/s3.js';
import { startStorageTestBed, type StorageTestBed } from './support/test-bed.js';
import { UPLOAD_TEST_ENV } from './support/uploads.js';

/** What the service finds or makes at start-up, and what its /ready reports. */
let bed: StorageTestBed;
beforeAll(async () => {
  bed = await startStorageTestBed([], UPLOAD_TEST_ENV);
});
afterAll(async () => {
  await bed?.dispose();
});

describe('start-up', () => {
  it('creates a missing bucket at start-up, with versioning where the server has it', async () => {
    const bucket = `${bed.s3.bucket}-new`;
    const context = testServiceContext({ S3_ENDPOINT: bed.s3.endpoint, S3_BUCKET: bucket });
    const store = createS3Store(context.config, context.teardown);
    await ensureBucket(store, context.log);
    await ensureBucket(store, context.log); // and leaves an existing one alone
    await bed.s3.client.send(new HeadBucketCommand({ Bucket: bucket }));
    const versioning = await bed.s3.client.send(new GetBucketVersioningCommand({ Bucket: bucket })).catch(() => null);
    // The embedded server has no versioning; MinIO and AWS answer Enabled.
    if (versioning?.Status) expect(versioning.Status).toBe('Enabled');
    else await bed.s3.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    await context.teardown.close();
  });

  it('reports ready when the bucket, Redis and its consumer group answer', async () => {
    const response = await fetch(bed.url.replace('/graphql', '/ready'));
    expect(await response.json()).toEqual({ status: 'ready', checks: { s3: 'ok', redis: 'ok', events: 'ok' } });
  });
});
