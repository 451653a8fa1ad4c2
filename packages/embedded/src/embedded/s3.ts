import { mkdir } from 'node:fs/promises';
import S3rver from 's3rver';
import type { EmbeddedStore } from './postgres.js';

/**
 * An S3 API server on a local folder. It does not check signatures; its
 * paginated listing needs Node's `--openssl-legacy-provider`.
 */
export async function startEmbeddedS3({
  dataDir,
  port,
  buckets = [],
}: {
  dataDir: string;
  port: number;
  buckets?: string[];
}): Promise<EmbeddedStore> {
  await mkdir(dataDir, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory: dataDir,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  await server.run();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => server.close(),
  };
}
