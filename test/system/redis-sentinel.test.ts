/**
 * Redis behind Sentinel: one primary, one replica and three sentinels, started
 * here from the machine's `redis-server`; the product's Redis layer connects
 * through the sentinels (REDIS_SENTINELS). Killing the primary (SIGKILL) must
 * leave caches, counters and live events working on the promoted replica, and no
 * entry written before the failover may be read from the cache after it
 * (replication is asynchronous: the replica may lack the last invalidations).
 * A failover takes seconds (down-after-milliseconds 1,000 here), so this runs
 * in the system suite. SENTINEL_REPORT=1 prints the gap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  createRedisLayer,
  loadConfig,
  redisSentinels,
  Teardown,
  type RedisClient,
  type RedisLayer,
} from '@polystore/common';
import { freePort } from '@polystore/embedded';
import { provisionRedisUsers } from '@polystore/operations';
import { Redis } from 'ioredis';

const MASTER = 'polystore-test';
const log = createLogger('sentinel-test', 'silent', 'json');

let dir: string;
const servers: ChildProcess[] = [];
let primaryPort: number;
let replicaPort: number;
let sentinelPorts: number[];

/** A redis-server (or sentinel) on 127.0.0.1, resolved once it answers PING. */
async function startServer(port: number, args: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  servers.push(child);
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        if (probe.status !== 'ready') await probe.connect();
        await probe.ping();
        return child;
      } catch {
        probe.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`redis-server on ${port} did not start`);
  } finally {
    probe.disconnect();
  }
}

/** The port of the server a client is connected to (the sentinels chose it). */
const serverPort = async (client: RedisClient) => Number(/tcp_port:(\d+)/.exec(await client.info('server'))?.[1]);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polystore-sentinel-'));
  [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const plain = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  await startServer(primaryPort, ['--port', String(primaryPort), ...plain]);
  await startServer(replicaPort, [
    '--port',
    String(replicaPort),
    ...plain,
    '--replicaof',
    '127.0.0.1',
    String(primaryPort),
  ]);
  sentinelPorts = [await freePort(), await freePort(), await freePort()];
  for (const port of sentinelPorts) {
    // Sentinel rewrites its configuration file, so each gets one of its own.
    const file = join(dir, `sentinel-${port}.conf`);
    await writeFile(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${MASTER} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${MASTER} 1000`,
        `sentinel failover-timeout ${MASTER} 10000`,
        `sentinel parallel-syncs ${MASTER} 1`,
        '',
      ].join('\n'),
    );
    await startServer(port, [file, '--sentinel']);
  }
}, 60_000);

afterAll(async () => {
  for (const child of servers) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Redis behind Sentinel', () => {
  it('reads its sentinels from REDIS_SENTINELS and refuses a malformed list', () => {
    const config = loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379, 10.0.0.6:26380', REDIS_SENTINEL_MASTER: 'm' });
    expect(redisSentinels(config)).toEqual({
      sentinels: [
        { host: '127.0.0.1', port: 26379 },
        { host: '10.0.0.6', port: 26380 },
      ],
      master: 'm',
      password: undefined,
    });
    expect(redisSentinels(loadConfig({}))).toBeUndefined();
    expect(() => loadConfig({ REDIS_SENTINELS: '127.0.0.1' })).toThrow(/REDIS_SENTINELS must be host:port pairs/);
  });

  it('keeps caches, counters and live events on the promoted replica, serves nothing cached before the failover, and counts an event only once a replica holds it', async () => {
    const sentinels = redisSentinels(
      loadConfig({
        REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
        REDIS_SENTINEL_MASTER: MASTER,
      }),
    )!;
    const teardown = new Teardown(log);
    // The services' users on the primary and the replica (ACLs do not replicate), by the product's tool.
    const { nodes, serviceUrls } = await provisionRedisUsers({
      config: loadConfig({
        REDIS_URL: `redis://127.0.0.1:${primaryPort}`,
        REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
        REDIS_SENTINEL_MASTER: MASTER,
        REDIS_KEY_PREFIX: 'sentinel-test:',
      }),
      passwords: { sql: 'sql-secret', mongo: 'mongo-secret', storage: 'storage-secret', gateway: 'gateway-secret' },
      log,
    });
    expect(nodes.map(({ port, role }) => [port, role])).toEqual([
      [primaryPort, 'master'],
      [replicaPort, 'replica'],
    ]);
    const layer = (eventReplicaAcks = 0, url = 'redis://sentinel-named/0'): RedisLayer =>
      // The URL's host is not used with sentinels: they name the primary.
      createRedisLayer({
        url,
        topology: sentinels,
        eventReplicaAcks,
        keyPrefix: 'sentinel-test:',
        log,
        teardown,
      });
    try {
      const service = layer();
      const other = layer();
      // As the sql-subgraph's relay appends with REDIS_EVENT_REPLICA_ACKS=1.
      const relay = layer(1);
      // The sql-subgraph as its own user, which must still get in once the replica is the primary.
      const sqlService = layer(0, serviceUrls.sql);
      const event = { id: 'e1', type: 'StockChanged', payload: {} } as never;
      expect(await service.waitUntilConnected(10_000)).toBe(true);
      expect(await other.waitUntilConnected(10_000)).toBe(true);
      expect(await relay.waitUntilConnected(10_000)).toBe(true);
      expect(await sqlService.waitUntilConnected(10_000)).toBe(true);
      await expect(sqlService.client!.set('sentinel-test:sql:probe', '1')).resolves.toBe('OK');
      expect(await serverPort(service.client!)).toBe(primaryPort);

      const entities = service.entityCache('sentinel-test:sql:');
      // The fence opens once the first connection has emptied the prefix: until then fills are skipped.
      await until('the cache to open', async () => {
        await entities.setMany([['sentinel-test:sql:Product:1', '{"stock":5}']], 300);
        const [value] = await entities.getMany(['sentinel-test:sql:Product:1']);
        return value === '{"stock":5}' ? true : undefined;
      });
      // The replica has it too: what a stale read after the failover would return.
      await until('the replica to hold it', async () => ((await service.client!.wait(1, 500)) >= 1 ? true : undefined));
      expect((await service.cache.hit('sentinel-test:count', 60_000))?.count).toBe(1);

      // Another replica's live subscriptions, following the stream.
      const heard: string[] = [];
      const follower = other.events.follow();
      await follower.from;
      void (async () => {
        for (;;) heard.push(...(await follower.next()).map(({ event }) => event.id));
      })().catch(() => undefined);
      const live = (id: string) => ({ ...(event as object), id }) as never;
      await service.events.append([live('before')]);
      await until('the follower hears it', async () => (heard.includes('before') ? true : undefined));

      // Held by the replica too, so the append counts (the outbox may mark it sent).
      await until('an append a replica holds', async () => {
        await relay.events.append([event]);
        return true;
      });

      const killed = Date.now();
      servers[0]!.kill('SIGKILL');
      // Commands fail fast while the primary is away; the gap ends when one succeeds on the new primary.
      await until('a command on the promoted replica', async () => {
        await service.client!.set('sentinel-test:probe', '1');
        return (await serverPort(service.client!)) === replicaPort ? true : undefined;
      });
      const gapMs = Date.now() - killed;
      if (process.env.SENTINEL_REPORT) process.stderr.write(`sentinel failover: commands back after ${gapMs} ms\n`);

      expect((await service.cache.hit('sentinel-test:count', 60_000))?.count).toBe(2);
      await until('the sql user on the promoted replica', async () => {
        await sqlService.client!.set('sentinel-test:sql:probe', '2');
        return (await serverPort(sqlService.client!)) === replicaPort ? true : undefined;
      });
      // The replica held the entry, but the fence empties the cache on the new connection: a miss, never the old value.
      await until('the cache to reopen', async () =>
        (await service.client!.exists('sentinel-test:sql:Product:1')) === 0 ? true : undefined,
      );
      expect(await entities.getMany(['sentinel-test:sql:Product:1'])).toEqual([null]);

      // The promoted replica has no replica of its own: an append is refused, so the outbox keeps the event.
      await expect(relay.events.append([event])).rejects.toThrow(/0 of 1 Redis replicas acknowledged/);

      // The follower reads on from where it was, on the promoted replica.
      let attempt = 0;
      await until('an event after the failover', async () => {
        await service.events.append([live(`after-${attempt++}`)]);
        return heard.some((id) => id.startsWith('after-')) ? true : undefined;
      });
      follower.close();
    } finally {
      await teardown.close();
    }
  }, 90_000);
});
