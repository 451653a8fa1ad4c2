import { mkdir } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';
import type { EmbeddedStore } from './postgres.js';
import { createSigV4Verifier, type Refusal, type S3Credentials } from './sigv4.js';

/** The key pair the embedded server accepts unless told otherwise (`S3_ACCESS_KEY_ID`'s default). */
export const EMBEDDED_S3_CREDENTIALS: S3Credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function sendRefusal(res: ServerResponse, method: string, { status, code, message }: Refusal): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  // The body of a refused upload is not read: close the connection rather than drain it.
  res.writeHead(status, { 'content-type': 'application/xml', connection: 'close' });
  res.end(method === 'HEAD' ? undefined : body);
}

/**
 * An S3 API server on a local folder that, like a real one, answers only
 * requests signed (AWS SigV4, header or presigned URL within its expiry)
 * with `credentials` for `region`: s3rver serves the API but checks no
 * signature, so every request passes `createSigV4Verifier` first, in the
 * same process, and s3rver itself listens on no port. Its paginated listing
 * needs Node's `--openssl-legacy-provider`.
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
  const serve = s3rver.callback();
  const verify = createSigV4Verifier({ credentials, region });
  const server = createServer((req, res) => {
    verify({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }).then(
      (refusal) => (refusal ? sendRefusal(res, req.method ?? 'GET', refusal) : serve(req, res)),
      () => sendRefusal(res, req.method ?? 'GET', { status: 403, code: 'AccessDenied', message: 'Access Denied' }),
    );
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
