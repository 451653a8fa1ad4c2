import { constants } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import type { EmbeddedStore } from './postgres.js';
import { spawnServer, stopLeftover } from './server-process.js';

/** Where `redis-server` is on the PATH, or undefined when it is not installed. */
export async function findRedisServer(path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'redis-server');
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

/** How to get a `redis-server`, for the message printed when none is installed. */
export const REDIS_INSTALL_HINT =
  'install Redis 6.2+ (Debian/Ubuntu: apt install redis-server; macOS: brew install redis) or set REDIS_URL';

/**
 * A private `redis-server` on a folder of its own, with its append-only file
 * there, so every service of the stack shares one cache, one pub/sub and one
 * durable event stream that survives restarts.
 */
export async function startEmbeddedRedis({
  dataDir,
  port,
  binary,
}: {
  dataDir: string;
  port: number;
  binary: string;
}): Promise<EmbeddedStore> {
  await mkdir(dataDir, { recursive: true });
  const pidFile = join(dataDir, 'redis.pid');
  const leftover = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (leftover) await stopLeftover(Number.parseInt(leftover, 10), 'redis-server', 'SIGTERM');

  const url = `redis://127.0.0.1:${port}`;
  const server = await spawnServer({
    command: binary,
    args: [
      ...['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes'],
      ...['--dir', dataDir, '--pidfile', pidFile, '--daemonize', 'no'],
      // Every write goes to the append-only file, fsynced each second; no snapshots.
      ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
    ],
    logFile: join(dirname(dataDir), 'redis.log'),
    ready: () => ping(url),
  });
  return {
    url,
    exited: server.exited,
    // SIGTERM: Redis flushes the append-only file and exits.
    stop: () => server.stop('SIGTERM'),
  };
}

async function ping(url: string) {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}
