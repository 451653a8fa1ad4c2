import { mkdir } from 'node:fs/promises';
import { CongoServer } from '@push.rocks/smartmongo/dist_ts/congodb/index.js';
import type { EmbeddedStore } from './postgres.js';

/**
 * A MongoDB wire-protocol server written in TypeScript. It covers the
 * portable core the mongo-subgraph uses; it does not enforce unique indexes
 * on fields other than `_id`, roll back transactions or run `$text`.
 * Without `dataDir` it keeps everything in memory.
 */
export async function startEmbeddedMongo({
  dataDir,
  port,
}: {
  dataDir?: string;
  port: number;
}): Promise<EmbeddedStore> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const server = new CongoServer(
    dataDir ? { port, host: '127.0.0.1', storage: 'file', storagePath: dataDir } : { port, host: '127.0.0.1' },
  );
  await server.start();
  return {
    url: `mongodb://127.0.0.1:${port}`,
    stop: () => server.stop(),
  };
}
