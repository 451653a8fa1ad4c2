import { Redis } from 'ioredis';
import { REDIS_SERVICES, redisUserName, type RedisService } from '../src/index.js';
import { testRedis, type Disposable } from './support/index.js';

/**
 * Each service's Redis user, as the test helpers and `npm start` create it:
 * what it needs works, the rest is refused with NOPERM.
 */
let redis: Disposable & { url: string; keyPrefix: string; serviceUrls: Record<RedisService, string> };
const clients: Redis[] = [];
const as = (service: RedisService) => {
  // Errors come back as rejections; no retry, no offline queue, so a refusal is immediate.
  const client = new Redis(redis.serviceUrls[service], { maxRetriesPerRequest: 0 });
  clients.push(client);
  return client;
};
const services = Object.keys(REDIS_SERVICES) as RedisService[];

beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  for (const client of clients) await client.quit();
  await redis.dispose();
});

describe.each(services)('the %s user', (service) => {
  const own = () => `${redis.keyPrefix}${REDIS_SERVICES[service].namespace}:`;

  it('is named after the key prefix and logs in with its password only', async () => {
    const client = as(service);
    expect(String(await client.call('CLIENT', 'INFO'))).toContain(` user=${redisUserName(redis.keyPrefix, service)} `);
    const other = new Redis(redis.url);
    clients.push(other);
    await expect(other.call('AUTH', redisUserName(redis.keyPrefix, service), 'wrong')).rejects.toThrow(/WRONGPASS/);
  });

  it('is refused FLUSHALL, FLUSHDB, CONFIG, KEYS, SHUTDOWN, DEBUG, ACL, MONITOR and FUNCTION', async () => {
    const client = as(service);
    const refused: string[][] = [
      ['FLUSHALL'],
      ['FLUSHDB'],
      ['CONFIG', 'GET', 'requirepass'],
      ['CONFIG', 'SET', 'appendonly', 'no'],
      ['KEYS', `${own()}*`],
      ['SHUTDOWN', 'NOSAVE'],
      ['ACL', 'LIST'],
      ['ACL', 'SETUSER', 'intruder', 'on', 'nopass', '+@all', '~*'],
      ['MONITOR'],
      ['FUNCTION', 'FLUSH'],
      ['SWAPDB', '0', '1'],
    ];
    for (const [command, ...args] of refused) {
      await expect(client.call(command!, ...args)).rejects.toThrow(/NOPERM/);
    }
    // DEBUG is refused by the server's own setting before ACLs are consulted: asked of the ACL directly.
    const admin = new Redis(redis.url);
    clients.push(admin);
    const user = redisUserName(redis.keyPrefix, service);
    expect(String(await admin.call('ACL', 'DRYRUN', user, 'DEBUG', 'SLEEP', '0'))).toMatch(/no permissions/);
    expect(String(await admin.call('ACL', 'DRYRUN', user, 'SHUTDOWN'))).toMatch(/no permissions/);
  });

  it('reads and writes its own keys, flushes them by SCAN, and reads and appends to the shared stream', async () => {
    const client = as(service);
    await client.set(`${own()}Thing:1`, 'x', 'EX', 60);
    expect(await client.mget(`${own()}Thing:1`)).toEqual(['x']);
    // SCAN walks the whole keyspace (other test files' keys too): follow its cursor, bounded.
    const keys: string[] = [];
    let cursor = '0';
    for (let page = 0; page < 10_000; page++) {
      const [next, found] = await client.scan(cursor, 'MATCH', `${own()}*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
      if (cursor === '0') break;
    }
    expect(keys).toContain(`${own()}Thing:1`);
    expect(await client.unlink(...keys)).toBeGreaterThanOrEqual(1);
    await client.multi().set(`${own()}a`, '1').del(`${own()}a`).exec();

    const stream = `${redis.keyPrefix}events`;
    await client.xgroup('CREATE', stream, `acl-${service}`, '$', 'MKSTREAM');
    await client.xadd(stream, '*', 'event', '{}');
    expect(await client.xreadgroup('GROUP', `acl-${service}`, 'c1', 'COUNT', 1, 'STREAMS', stream, '>')).toHaveLength(
      1,
    );
    await client.xinfo('GROUPS', stream);
    await client.xadd(`${stream}:dead`, '*', 'event', '{}');
    // Live subscriptions follow the stream with a blocking read.
    expect(await client.xread('COUNT', 1, 'STREAMS', stream, '0')).toHaveLength(1);

    if (REDIS_SERVICES[service].subgraph) {
      expect(await client.set(`${redis.keyPrefix}nonce:${service}`, '1', 'PX', 1000, 'NX')).toBe('OK');
    } else {
      await expect(client.get(`${redis.keyPrefix}nonce:x`)).rejects.toThrow(/NOPERM/);
    }
  });

  it("cannot touch another service's keys, another deployment's keys, or any pub/sub channel", async () => {
    const client = as(service);
    for (const other of services.filter((name) => name !== service)) {
      const key = `${redis.keyPrefix}${REDIS_SERVICES[other].namespace}:Thing:1`;
      await expect(client.get(key)).rejects.toThrow(/NOPERM/);
      await expect(client.set(key, 'poisoned')).rejects.toThrow(/NOPERM/);
      await expect(client.del(key)).rejects.toThrow(/NOPERM/);
    }
    const rateLimit = client.get(`${redis.keyPrefix}gateway:ratelimit:x`);
    if (service === 'gateway') expect(await rateLimit).toBeNull();
    else await expect(rateLimit).rejects.toThrow(/NOPERM/);
    await expect(client.xadd('elsewhere:events', '*', 'event', '{}')).rejects.toThrow(/NOPERM/);
    await expect(client.publish('elsewhere:ProductUpdated', '{}')).rejects.toThrow(/NOPERM/);
    // Nothing of the product uses pub/sub any more: no channel, not even the deployment's.
    await expect(client.publish(`${redis.keyPrefix}ProductUpdated`, '{}')).rejects.toThrow(/NOPERM/);
    await expect(client.get('unprefixed')).rejects.toThrow(/NOPERM/);
  });
});

describe('the gateway user', () => {
  it('runs Lua on its own keys only', async () => {
    const client = as('gateway');
    const own = `${redis.keyPrefix}gateway:rc:counter`;
    expect(await client.eval("return redis.call('INCR', KEYS[1])", 1, own)).toBe(1);
    await expect(
      client.eval("return redis.call('GET', KEYS[1])", 1, `${redis.keyPrefix}sql:Product:1`),
    ).rejects.toThrow(/NOPERM|no permissions/);
  });

  it('subgraph users run no Lua', async () => {
    await expect(as('sql').eval('return 1', 0)).rejects.toThrow(/NOPERM/);
  });
});
