import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REDIS_SERVICES, type RedisService } from '@polystore/common';
import { startPrivateRedis, type PrivateServer } from '@polystore/testing/stores';
import { runCli } from './support/run-cli.js';

/**
 * `npm run redis-users`: the services' users on a server of our own (its default
 * user is the administrator), each service's REDIS_URL written for its secret.
 */
let server: PrivateServer;
let out: string;

beforeAll(async () => {
  server = await startPrivateRedis();
  out = await mkdtemp(join(tmpdir(), 'polystore-redis-users-'));
});

afterAll(async () => {
  await server?.dispose();
  await rm(out, { recursive: true, force: true });
});

const SERVICES = Object.keys(REDIS_SERVICES) as RedisService[];
const urlIn = async (service: RedisService) =>
  (await readFile(join(out, 'users', `${service}.env`), 'utf8')).match(/^REDIS_URL=(.+)$/m)![1]!;

it("creates each service's user and writes its REDIS_URL, readable by the owner only, and no secret to the output", async () => {
  const run = await runCli('redis-users-cli', ['--out', join(out, 'users')], {
    REDIS_URL: server.url,
    REDIS_KEY_PREFIX: 'shop:',
  });
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`set on 127.0.0.1:${new URL(server.url).port} (master)`);
  for (const service of SERVICES) {
    const file = join(out, 'users', `${service}.env`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const url = new URL(await urlIn(service));
    expect(decodeURIComponent(url.username)).toBe(`shop-${service}`);
    expect(url.password.length).toBeGreaterThanOrEqual(40);
    expect(run.stdout + run.stderr).not.toContain(url.password);
  }
  // The sql-subgraph's user: its own keys, not the mongo-subgraph's, and nothing administrative.
  const sql = new Redis(await urlIn('sql'), { maxRetriesPerRequest: 0 });
  try {
    await expect(sql.set('shop:sql:Product:1', 'x')).resolves.toBe('OK');
    await expect(sql.set('shop:mongo:Review:1', 'x')).rejects.toThrow(/NOPERM/);
    await expect(sql.flushall()).rejects.toThrow(/NOPERM/);
  } finally {
    sql.disconnect();
  }
});

it('keeps the passwords already written when run again, and fails naming a server it cannot reach', async () => {
  const before = await Promise.all(SERVICES.map(urlIn));
  const again = await runCli('redis-users-cli', ['--out', join(out, 'users')], {
    REDIS_URL: server.url,
    REDIS_KEY_PREFIX: 'shop:',
  });
  expect(again.code).toBe(0);
  expect(await Promise.all(SERVICES.map(urlIn))).toEqual(before);

  const unreachable = await runCli('redis-users-cli', ['--out', join(out, 'elsewhere')], {
    REDIS_URL: 'redis://127.0.0.1:1',
  });
  expect(unreachable.code).toBe(1);
  expect(unreachable.stderr).toMatch(/redis-users: 127\.0\.0\.1:1 \(master\) refused the users/);
  expect((await runCli('redis-users-cli', [], { REDIS_URL: server.url })).code).toBe(2);
});
