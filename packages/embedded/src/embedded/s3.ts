import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';
import type { EmbeddedStore } from './postgres.js';
import { abortUpload, hardenFilesystemStore } from './s3-store.js';
import { createSigV4Verifier, type S3Credentials } from './sigv4.js';

/** The key pair the embedded server accepts unless told otherwise (`S3_ACCESS_KEY_ID`'s default). */
export const EMBEDDED_S3_CREDENTIALS: S3Credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** An S3 error answered by the wrapper itself (a refusal, an abort, a failure s3rver did not answer). */
interface Failure {
  status: number;
  code: string;
  message: string;
}

function sendRefusal(res: ServerResponse, method: string, { status, code, message }: Failure): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  // The body of a refused upload is not read: close the connection rather than drain it.
  res.writeHead(status, { 'content-type': 'application/xml', connection: 'close' });
  res.end(method === 'HEAD' ? undefined : body);
}

const NO_SUCH_BUCKET = { code: 'NoSuchBucket', message: 'The specified bucket does not exist' };
const internalError: Failure = {
  status: 500,
  code: 'InternalError',
  message: 'We encountered an internal error. Please try again.',
};
/** S3's rule for bucket names; anything else could name a folder outside the store. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** AbortMultipartUpload (`DELETE /bucket/key?uploadId=`), or null when the request is not one. */
function abortRequest(method: string, url: string): { bucket: string; uploadId: string } | null {
  if (method !== 'DELETE') return null;
  const { pathname, searchParams } = new URL(url, 'http://s3');
  const uploadId = searchParams.get('uploadId');
  const [, bucket, ...key] = pathname.split('/');
  if (uploadId === null || !bucket || key.join('') === '') return null;
  return { bucket: decodeURIComponent(bucket), uploadId };
}

/**
 * An S3 API server on a local folder that, like a real one, answers only
 * requests signed (AWS SigV4, header or presigned URL within its expiry)
 * with `credentials` for `region`: s3rver serves the API but checks no
 * signature, so every request passes `createSigV4Verifier` first, in the
 * same process, and s3rver itself listens on no port. s3rver's store is
 * hardened (`s3-store.ts`): bodies are written whole or not at all, and a
 * multipart completion is checked against the parts stored, so no request
 * can end the process. AbortMultipartUpload, which s3rver lacks, is served
 * here. Its paginated listing needs Node's `--openssl-legacy-provider`.
 */
export async function startEmbeddedS3({
  dataDir,
  port,
  buckets = [],
  credentials = EMBEDDED_S3_CREDENTIALS,
  region = 'us-east-1',
}: {
  dataDir: string;
  port: number;
  buckets?: string[];
  credentials?: S3Credentials;
  region?: string;
}): Promise<EmbeddedStore> {
  await mkdir(dataDir, { recursive: true });
  // s3rver honours response-* overrides (Content-Disposition) only for a key pair it knows.
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  const s3rver = new S3rver({
    directory: dataDir,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  await s3rver.configureBuckets();
  hardenFilesystemStore(s3rver.store);
  const serve = s3rver.callback();
  const verify = createSigV4Verifier({ credentials, region });
  const handle = async (req: IncomingMessage, res: ServerResponse, method: string) => {
    const abort = abortRequest(method, req.url ?? '/');
    if (!abort) return serve(req, res);
    if (!BUCKET_NAME.test(abort.bucket)) return sendRefusal(res, method, { status: 404, ...NO_SUCH_BUCKET });
    try {
      await abortUpload(s3rver.store, abort.bucket, abort.uploadId);
    } catch (err) {
      const { status, code, message } = err as Partial<Failure>;
      return sendRefusal(res, method, status && code && message ? { status, code, message } : internalError);
    }
    res.writeHead(204).end();
  };
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    verify({ method, url: req.url ?? '/', headers: req.headers })
      .then(
        (refusal) => (refusal ? sendRefusal(res, method, refusal) : handle(req, res, method)),
        () => sendRefusal(res, method, { status: 403, code: 'AccessDenied', message: 'Access Denied' }),
      )
      // s3rver answers its own failures; this catches only what escapes it, as a 500.
      .catch(() => sendRefusal(res, method, internalError));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      s3rver.logger.close();
    },
  };
}
