import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { isConnectionError, serviceUnavailable, type Config, type Logger, type Teardown } from '@polystore/common';

export interface S3Store {
  /** Talks to S3 from inside the deployment. */
  client: S3Client;
  /** Signs URLs with the endpoint clients can reach (differs behind Docker networks). */
  presigner: S3Client;
  bucket: string;
  urlTtlSeconds: number;
  uploads: Config['uploads'];
}

function client(s3: Config['s3'], endpoint: string | undefined): S3Client {
  return new S3Client({
    endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    maxAttempts: 2,
    // Presigned uploads carry the client's body: a checksum of the (empty) request body would not match it.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A server that stops answering must fail the request (SERVICE_UNAVAILABLE), not hang it: the
    // SDK only warns on a request timeout unless told to throw.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
}

export function createS3Store({ s3, uploads }: Pick<Config, 's3' | 'uploads'>, teardown: Teardown): S3Store {
  const store = {
    client: client(s3, s3.endpoint),
    presigner: client(s3, s3.publicEndpoint ?? s3.endpoint),
    bucket: s3.bucket,
    urlTtlSeconds: s3.urlTtlSeconds,
    uploads,
  };
  teardown.add('s3 clients', () => {
    store.client.destroy();
    store.presigner.destroy();
  });
  return store;
}

/** Whether the bucket answers: the service's readiness check. */
export const pingBucket = (store: S3Store) => store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));

/**
 * Creates the bucket when it is missing (development and first start), with
 * versioning on where the server supports it (the embedded server does not);
 * production buckets already exist, configured by their owners.
 */
export async function ensureBucket(store: S3Store, log: Logger): Promise<void> {
  try {
    await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await store.client.send(new CreateBucketCommand({ Bucket: store.bucket }));
  try {
    await store.client.send(
      new PutBucketVersioningCommand({ Bucket: store.bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    // With versioning a delete keeps the old version: bound how long, and drop parts of
    // multipart uploads nobody completed even if the service's own sweep missed them.
    await store.client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: store.bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'polystore-cleanup',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
              Expiration: { ExpiredObjectDeleteMarker: true },
            },
          ],
        },
      }),
    );
  } catch (err) {
    log.info({ err, bucket: store.bucket }, 'bucket created without versioning: the S3 server does not support it');
  }
  log.info({ bucket: store.bucket }, 'bucket created');
}

export function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 404 ||
      err.name === 'NotFound' ||
      err.name === 'NoSuchKey' ||
      err.name === 'NoSuchBucket')
  );
}

/** Network failures become SERVICE_UNAVAILABLE; S3's own errors other than 404 are rethrown and masked. */
export async function withS3Errors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isConnectionError(err)) throw serviceUnavailable('the object store is unavailable');
    if ((err as Error).name === 'TimeoutError') throw serviceUnavailable('the object store did not answer in time');
    throw err;
  }
}
