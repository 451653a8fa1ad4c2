import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { freePort, startEmbeddedS3, type EmbeddedStore } from '../src/index.js';

/**
 * The embedded S3 server answers only requests signed with its key pair
 * (AWS SigV4, in the Authorization header or a presigned URL within its
 * expiry), as AWS S3 and MinIO do; s3rver alone would serve anyone.
 */
const BUCKET = 'signed';
const KEY = 'products/zelt/Zelt – außen (1).png';
const CREDENTIALS = { accessKeyId: 'embedded-test', secretAccessKey: 'a secret of the test' };
let dir: string;
let store: EmbeddedStore;
let s3: S3Client;

const client = (credentials = CREDENTIALS, options: Partial<ConstructorParameters<typeof S3Client>[0]> = {}) =>
  new S3Client({
    endpoint: store.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    ...options,
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polystore-s3-signed-'));
  store = await startEmbeddedS3({ dataDir: dir, port: await freePort(), buckets: [BUCKET], credentials: CREDENTIALS });
  s3 = client();
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'original', ContentType: 'image/png' }));
});

afterAll(async () => {
  s3?.destroy();
  await store?.stop();
  await rm(dir, { recursive: true, force: true });
});

const read = async (key = KEY) =>
  (await s3
    .send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
    .then((object) => object.Body!.transformToString())) as string;

/** The S3 error code of a refused SDK call. */
async function refusal(call: Promise<unknown>): Promise<{ status?: number; code: string }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof S3ServiceException) return { status: err.$metadata.httpStatusCode, code: err.name };
    throw err;
  }
  throw new Error('the call was not refused');
}

const objectUrl = (key: string) => `${store.url}/${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`;

describe('the embedded S3 server', () => {
  it('serves requests signed with its key: put, list, get and delete', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a b/ü!(x)*.txt', Body: 'signed' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'a b/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['a b/ü!(x)*.txt']);
    expect(await read('a b/ü!(x)*.txt')).toBe('signed');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'a b/ü!(x)*.txt' }));
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'a b/' }))).KeyCount).toBe(0);
  });

  it('refuses unsigned list, get, head, put and delete with 403, changing nothing', async () => {
    const attempts: [string, string, RequestInit][] = [
      ['list', `${store.url}/${BUCKET}?list-type=2`, { method: 'GET' }],
      ['list buckets', `${store.url}/`, { method: 'GET' }],
      ['get', objectUrl(KEY), { method: 'GET' }],
      ['head', objectUrl(KEY), { method: 'HEAD' }],
      [
        'put',
        objectUrl(KEY),
        { method: 'PUT', body: '<html>replaced</html>', headers: { 'content-type': 'text/html' } },
      ],
      ['delete', objectUrl(KEY), { method: 'DELETE' }],
    ];
    for (const [what, url, init] of attempts) {
      const response = await fetch(url, init);
      expect({ what, status: response.status }).toEqual({ what, status: 403 });
      if (init.method !== 'HEAD') expect(await response.text()).toContain('<Code>AccessDenied</Code>');
    }
    expect(await read()).toBe('original');
  });

  it('refuses requests signed with another secret or another access key', async () => {
    for (const [credentials, code] of [
      [{ ...CREDENTIALS, secretAccessKey: 'guessed' }, 'SignatureDoesNotMatch'],
      [{ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, 'InvalidAccessKeyId'],
    ] as const) {
      const intruder = client(credentials);
      expect(await refusal(intruder.send(new ListObjectsV2Command({ Bucket: BUCKET })))).toEqual({ status: 403, code });
      expect(await refusal(intruder.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY })))).toEqual({
        status: 403,
        code,
      });
      expect(
        await refusal(intruder.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'replaced' }))),
      ).toEqual({ status: 403, code });
      expect(await refusal(intruder.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY })))).toEqual({
        status: 403,
        code,
      });
      intruder.destroy();
    }
    expect(await read()).toBe('original');
  });

  it('refuses a header-signed request whose date is more than 15 minutes off', async () => {
    const late = client(CREDENTIALS, { systemClockOffset: -20 * 60_000 });
    expect(await refusal(late.send(new ListObjectsV2Command({ Bucket: BUCKET })))).toEqual({
      status: 403,
      code: 'RequestTimeTooSkewed',
    });
    late.destroy();
  });

  it('serves presigned GET and PUT URLs through plain fetch, bound to what they sign', async () => {
    const disposition = `inline; filename*=UTF-8''Zelt%20%E2%80%93%20au%C3%9Fen.png`;
    const get = await getSignedUrl(
      s3,
      new GetObjectCommand({ Bucket: BUCKET, Key: KEY, ResponseContentDisposition: disposition }),
      { expiresIn: 60 },
    );
    const download = await fetch(get);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(disposition);
    expect(await download.text()).toBe('original');
    // Another key, or another disposition, under the same signature.
    expect((await fetch(get.replace(encodeURIComponent('außen'), 'innen'))).status).toBe(403);
    const tampered = new URL(get);
    tampered.searchParams.set('response-content-disposition', 'attachment');
    expect((await fetch(tampered)).status).toBe(403);

    const put = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/new.png', ContentType: 'image/png', ContentLength: 3 }),
      { expiresIn: 60, signableHeaders: new Set(['content-type', 'content-length']) },
    );
    const wrongType = await fetch(put, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'abc' });
    expect(wrongType.status).toBe(403);
    const upload = await fetch(put, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: 'abc' });
    expect(upload.status).toBe(200);
    expect(await read('uploads/new.png')).toBe('abc');
  });

  it('refuses an expired presigned URL', async () => {
    // Signed ten seconds ago for one second: expired without waiting for the clock.
    const signingDate = new Date(Date.now() - 10_000);
    const get = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), {
      expiresIn: 1,
      signingDate,
    });
    const response = await fetch(get);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Request has expired');
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: KEY }), {
      expiresIn: 1,
      signingDate,
    });
    expect((await fetch(put, { method: 'PUT', body: 'late' })).status).toBe(403);
    // The same URL signed now works.
    expect((await fetch(await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: KEY })))).status).toBe(200);
    expect(await read()).toBe('original');
  });
});
