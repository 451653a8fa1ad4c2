import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { freePort, startEmbeddedS3, type EmbeddedStore } from '../src/index.js';

/**
 * Multipart uploads on the embedded S3 are checked as S3 checks them, and no
 * request, however wrong, ends the process serving them: s3rver alone took
 * any ETag and crashed on a completion naming a part never uploaded.
 */
const BUCKET = 'multipart';
const MiB = 1024 * 1024;
let dir: string;
let store: EmbeddedStore;
let s3: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polystore-s3-multipart-'));
  store = await startEmbeddedS3({ dataDir: dir, port: await freePort(), buckets: [BUCKET] });
  s3 = client();
});

const client = () =>
  new S3Client({
    endpoint: store.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });

afterAll(async () => {
  s3?.destroy();
  await store?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The S3 error of a refused call, or 'done'. */
async function outcome(call: Promise<unknown>): Promise<{ status?: number; code: string } | 'done'> {
  try {
    await call;
    return 'done';
  } catch (err) {
    if (err instanceof S3ServiceException) return { status: err.$metadata.httpStatusCode, code: err.name };
    throw err;
  }
}

const begin = async (key: string) =>
  (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'application/pdf' })))
    .UploadId!;

const sendPart = async (key: string, uploadId: string, partNumber: number, body: Buffer): Promise<CompletedPart> => {
  const sent = await s3.send(
    new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }),
  );
  return { PartNumber: partNumber, ETag: sent.ETag! };
};

const finish = (key: string, uploadId: string, parts: CompletedPart[]) =>
  s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
    }),
  );

const read = async (key: string) =>
  Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());

/** UploadPart with query values no SDK would send, signed all the same (set before signing). */
async function sendCrafted(key: string, uploadId: string, query: Record<string, string>) {
  const crafted = client();
  crafted.middlewareStack.add(
    (next) => (args) => {
      Object.assign((args.request as { query: Record<string, string> }).query, query);
      return next(args);
    },
    { step: 'build' },
  );
  try {
    return await crafted.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'x' }),
    );
  } finally {
    crafted.destroy();
  }
}

const listed = async () =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((object) => object.Key);

/** The uploads s3rver keeps on disk for the bucket. */
const openUploads = async () => readdir(join(dir, BUCKET, '._S3rver_uploads')).catch(() => []);

/** Waits (at most 10 s) until a part of the upload is, or is no longer, being written; false if it never is. */
async function untilPartial(uploadId: string, present: boolean): Promise<boolean> {
  for (let round = 0; round < 200; round++) {
    const files = await readdir(join(dir, BUCKET, '._S3rver_uploads', uploadId));
    if (files.some((file) => file.endsWith('.partial')) === present) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('multipart completion on the embedded S3', () => {
  it('refuses parts never uploaded with InvalidPart, keeps serving, and stores nothing', async () => {
    const uploadId = await begin('bogus.pdf');
    const bogus = [
      { PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' },
      { PartNumber: 2, ETag: '"made-up"' },
    ];
    expect(await outcome(finish('bogus.pdf', uploadId, bogus))).toEqual({ status: 400, code: 'InvalidPart' });
    expect(await outcome(finish('bogus.pdf', uploadId, [{ PartNumber: 9999, ETag: 'x' }]))).toEqual({
      status: 400,
      code: 'InvalidPart',
    });
    expect(await listed()).not.toContain('bogus.pdf');
    // Still the same upload, still completable once a real part is there.
    const part = await sendPart('bogus.pdf', uploadId, 1, Buffer.from('one small part'));
    expect(await outcome(finish('bogus.pdf', uploadId, [part]))).toBe('done');
    expect((await read('bogus.pdf')).toString()).toBe('one small part');
  });

  it('takes only the stored ETags, in ascending order, with parts of at least 5 MiB but the last', async () => {
    const key = 'whole.pdf';
    const uploadId = await begin(key);
    const first = randomBytes(5 * MiB);
    const last = Buffer.from('the tail');
    const parts = [await sendPart(key, uploadId, 1, first), await sendPart(key, uploadId, 2, last)];
    const refusals = [
      [[parts[0]!, { PartNumber: 2, ETag: '"0123456789abcdef0123456789abcdef"' }], 'InvalidPart'],
      [[parts[1]!, parts[0]!], 'InvalidPartOrder'],
      [[parts[0]!, parts[0]!], 'InvalidPartOrder'],
      [[{ PartNumber: 0, ETag: parts[0]!.ETag }], 'InvalidPart'],
    ] as const;
    for (const [list, code] of refusals) {
      expect(await outcome(finish(key, uploadId, [...list]))).toEqual({ status: 400, code });
    }
    expect(await outcome(finish(key, uploadId, parts))).toBe('done');
    expect((await read(key)).equals(Buffer.concat([first, last]))).toBe(true);
    // Completed: the upload is gone, as in S3.
    expect(await outcome(finish(key, uploadId, parts))).toEqual({ status: 404, code: 'NoSuchUpload' });

    const small = await begin('small.pdf');
    const smallParts = [await sendPart('small.pdf', small, 1, last), await sendPart('small.pdf', small, 2, last)];
    expect(await outcome(finish('small.pdf', small, smallParts))).toEqual({ status: 400, code: 'EntityTooSmall' });
  });

  it('completes one of two simultaneous completions of the same upload and refuses the other', async () => {
    const key = 'twice.pdf';
    const uploadId = await begin(key);
    const body = randomBytes(2 * MiB);
    const parts = [await sendPart(key, uploadId, 1, body)];
    const results = await Promise.all([finish(key, uploadId, parts), finish(key, uploadId, parts)].map(outcome));
    expect(results).toContain('done');
    for (const result of results.filter((r) => r !== 'done')) expect(result).toMatchObject({ status: 404 });
    expect((await read(key)).equals(body)).toBe(true);
    expect(await openUploads()).not.toContain(uploadId);
  });

  it('aborts an upload: its parts go, and it can be neither completed nor added to', async () => {
    const key = 'aborted.pdf';
    const uploadId = await begin(key);
    const parts = [await sendPart(key, uploadId, 1, Buffer.from('abandoned'))];
    expect(await openUploads()).toContain(uploadId);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
    expect(await openUploads()).not.toContain(uploadId);
    expect(await outcome(finish(key, uploadId, parts))).toEqual({ status: 404, code: 'NoSuchUpload' });
    expect(await outcome(sendPart(key, uploadId, 2, Buffer.from('late')))).toEqual({
      status: 404,
      code: 'NoSuchUpload',
    });
    expect(
      await outcome(s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }))),
    ).toEqual({ status: 404, code: 'NoSuchUpload' });
    expect(await listed()).not.toContain(key);
  });

  it('refuses part numbers and upload ids S3 never hands out, writing nothing outside the store', async () => {
    const key = 'numbers.pdf';
    const uploadId = await begin(key);
    for (const partNumber of [0, 10_001]) {
      expect(await outcome(sendPart(key, uploadId, partNumber, Buffer.from('x')))).toEqual({
        status: 400,
        code: 'InvalidArgument',
      });
    }
    for (const [query, refusal] of [
      [{ partNumber: '' }, { status: 400, code: 'InvalidArgument' }],
      [{ partNumber: '../../../escaped' }, { status: 400, code: 'InvalidArgument' }],
      [{ uploadId: '../../../escaped' }, { status: 404, code: 'NoSuchUpload' }],
    ] as const) {
      expect(await outcome(sendCrafted(key, uploadId, query))).toEqual(refusal);
    }
    expect(existsSync(join(dir, 'escaped'))).toBe(false);
    expect(existsSync(join(dir, BUCKET, 'escaped'))).toBe(false);
  });

  it('keeps a stored part when its re-upload is cut off midway', async () => {
    const key = 'cut.pdf';
    const uploadId = await begin(key);
    const part = await sendPart(key, uploadId, 1, Buffer.from('the part as first sent'));
    const url = await getSignedUrl(
      s3,
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, ContentLength: 2 * MiB }),
      { expiresIn: 60, signableHeaders: new Set(['content-length']) },
    );
    // Half of the signed length; once the server writes it, the connection goes.
    const put = request(url, { method: 'PUT', headers: { 'content-length': 2 * MiB } });
    put.on('error', () => {});
    put.write(randomBytes(MiB));
    expect(await untilPartial(uploadId, true)).toBe(true);
    put.destroy();
    expect(await untilPartial(uploadId, false)).toBe(true);
    expect(await outcome(finish(key, uploadId, [part]))).toBe('done');
    expect((await read(key)).toString()).toBe('the part as first sent');
  });
});
