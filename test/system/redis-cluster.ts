import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@polystore/embedded';
import { Cluster, Redis } from 'ioredis';
import { run, start, type Started } from './processes.js';

/** A Redis Cluster of masters on this machine, started from the machine's `redis-server`. */
export interface RedisClusterFixture {
  /** The masters' addresses, as REDIS_CLUSTER_NODES takes them. */
  env: { REDIS_CLUSTER_NODES: string };
  ports: number[];
  /** A cluster client as the default user, for inspection (closed by `dispose`). */
  client: Cluster;
  dispose(): Promise<void>;
}

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** A connection to one node, which gives up at once when the node does not answer. */
function nodeClient(port: number): Redis {
  const node = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  node.on('error', () => {}); // the failing command says it
  return node;
}

async function onNode<T>(port: number, work: (node: Redis) => Promise<T>): Promise<T> {
  const node = nodeClient(port);
  try {
    await node.connect();
    return await work(node);
  } finally {
    node.disconnect();
  }
}

/**
 * Starts `masters` servers with `--cluster-enabled yes` on free ports, each in
 * a folder of its own under one temporary folder, joins them with
 * `redis-cli --cluster create` (no replicas: the slots are split evenly) and
 * waits until every node reports `cluster_state:ok`. On failure everything
 * started is stopped and removed before the error is thrown.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'polystore-redis-cluster-'));
  const servers: Started[] = [];
  let client: Cluster | undefined;
  const dispose = async () => {
    client?.disconnect();
    for (const server of servers) await server.kill();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) ports.push(await freePort());
    // The bus port defaults to port + 10000, which may be taken (it can fall in
    // the ephemeral range): each node gets a free one of its own.
    const busPorts: number[] = [];
    for (let i = 0; i < masters; i++) busPorts.push(await freePort());
    for (const [index, port] of ports.entries()) {
      const home = join(dir, String(port));
      await mkdir(home);
      servers.push(
        start(
          'redis-server',
          [
            ...['--port', String(port), '--bind', '127.0.0.1', '--dir', home],
            ...[
              '--cluster-enabled',
              'yes',
              '--cluster-port',
              String(busPorts[index]),
              '--cluster-config-file',
              'nodes.conf',
            ],
            ...['--cluster-node-timeout', '5000'],
            ...['--save', '', '--appendonly', 'no'],
          ],
          { cwd: home, env: process.env },
        ),
      );
    }
    for (const [index, port] of ports.entries()) {
      await until(`redis-server on ${port}`, () => onNode(port, async (n) => !!(await n.ping()))).catch(
        (err: Error) => {
          throw new Error(`${err.message}; it wrote:\n${servers[index]!.output()}`);
        },
      );
    }
    const created = await run(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { cwd: dir, env: process.env, timeoutMs: 30_000 },
    );
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.output}`);
    for (const port of ports) {
      await until(`cluster_state:ok on ${port}`, () =>
        onNode(port, async (node) => /cluster_state:ok/.test(String(await node.cluster('INFO')))),
      );
    }
    client = new Cluster(
      ports.map((port) => ({ host: '127.0.0.1', port })),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
    await until('the inspecting cluster client', async () => (await client!.ping()) === 'PONG');
    return {
      env: { REDIS_CLUSTER_NODES: ports.map((port) => `127.0.0.1:${port}`).join(',') },
      ports,
      client,
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
