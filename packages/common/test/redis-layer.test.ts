import { Redis } from 'ioredis';
import { connectRedisLayer, createCachedLoader, MemoryCache, type EntityCache, type Follower } from '../src/index.js';
import { servicesOfFile, startPrivateRedis, testRedis } from './support/index.js';

const { log, teardown, own } = servicesOfFile();

async function exercise(cache: EntityCache, prefix: string) {
  await cache.setMany(
    [
      [`${prefix}a`, '1'],
      [`${prefix}b`, '2'],
    ],
    60,
  );
  expect(await cache.getMany([`${prefix}a`, `${prefix}missing`, `${prefix}b`])).toEqual(['1', null, '2']);
  await cache.delete([`${prefix}a`]);
  expect(await cache.getMany([`${prefix}a`, `${prefix}b`])).toEqual([null, '2']);
}

describe('entity cache', () => {
  it('stores, reads and invalidates entries in Redis with a TTL', async () => {
    const redis = own(await testRedis());
    const layer = await connectRedisLayer({ url: redis.url, keyPrefix: redis.keyPrefix, log, teardown });
    await exercise(layer.cache, redis.keyPrefix);
    await layer.cache.setMany([[`${redis.keyPrefix}short`, 'x']], 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await layer.cache.getMany([`${redis.keyPrefix}short`])).toEqual([null]);
  });

  it('behaves the same in process when no Redis is configured', async () => {
    await exercise(new MemoryCache(), 'memory:');
  });

  it('evicts the oldest in-process entries beyond its bound', async () => {
    const cache = new MemoryCache(2);
    await cache.setMany(
      [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ],
      60,
    );
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([null, '2', '3']);
  });

  it('reads as misses while Redis is down, without hanging, and recovers when it returns', async () => {
    const server = own(await startPrivateRedis());
    const layer = await connectRedisLayer({ url: server.url, keyPrefix: 't:', log, teardown });
    await layer.cache.setMany([['t:a', '1']], 60);
    expect(await layer.cache.getMany(['t:a'])).toEqual(['1']);

    await server.stop();
    const started = Date.now();
    expect(await layer.cache.getMany(['t:a'])).toEqual([null]);
    await expect(layer.cache.setMany([['t:b', '2']], 60)).resolves.toBeUndefined();
    await expect(layer.cache.delete(['t:a'])).resolves.toBeUndefined();
    await expect(layer.ping()).rejects.toThrow();
    // Bounded by the command timeout, not by the reconnect loop.
    expect(Date.now() - started).toBeLessThan(10_000);

    await server.start();
    let recovered = false;
    for (let attempt = 0; attempt < 50 && !recovered; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      recovered = await layer.ping().then(
        () => true,
        () => false,
      );
    }
    expect(recovered).toBe(true);
    await layer.cache.setMany([['t:c', '3']], 60);
    expect(await layer.cache.getMany(['t:c'])).toEqual(['3']);
  });
});

describe('cached loader', () => {
  it('asks the store only for ids the cache misses and fills the cache', async () => {
    const cache = new MemoryCache();
    const asked: string[][] = [];
    const makeLoader = () =>
      createCachedLoader<{ id: string }>({
        cache,
        keyPrefix: 'Thing:',
        ttlSeconds: 60,
        load: async (ids) => {
          asked.push([...ids]);
          return ids.map((id) => (id === 'ghost' ? null : { id }));
        },
      });
    expect(await makeLoader().loadMany(['a', 'b', 'ghost'])).toEqual([{ id: 'a' }, { id: 'b' }, null]);
    expect(await makeLoader().loadMany(['a', 'c', 'ghost'])).toEqual([{ id: 'a' }, { id: 'c' }, null]);
    // One batch per request; the second asks only for the misses. Absent ids are not cached.
    expect(asked).toEqual([
      ['a', 'b', 'ghost'],
      ['c', 'ghost'],
    ]);
  });
});

describe('event stream consumers', () => {
  const event = (id: number, type = 'Thing') => ({
    id: String(id),
    type,
    aggregateType: 'Thing',
    aggregateId: '00000000-0000-4000-8000-000000000000',
    payload: { n: id },
    occurredAt: new Date().toISOString(),
  });

  async function waitFor(check: () => boolean) {
    for (let attempt = 0; attempt < 100 && !check(); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  it('delivers each event once per group, across replicas, including events written before the group existed', async () => {
    const redis = own(await testRedis());
    const producer = await connectRedisLayer({ url: redis.url, keyPrefix: redis.keyPrefix, log, teardown });
    await producer.events.append([event(1), event(2)]);

    const seen: string[] = [];
    const replicas = await Promise.all(
      [1, 2].map(() => connectRedisLayer({ url: redis.url, keyPrefix: redis.keyPrefix, log, teardown })),
    );
    const stops = replicas.map((replica) =>
      replica.events.consume('group-a', async (e) => void seen.push(e.id), { log }),
    );
    const other: string[] = [];
    const stopOther = replicas[0]!.events.consume('group-b', async (e) => void other.push(e.id), { log });
    await producer.events.append([event(3), event(4), event(5)]);

    await waitFor(() => seen.length >= 5 && other.length >= 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...seen].sort()).toEqual(['1', '2', '3', '4', '5']);
    expect([...other].sort()).toEqual(['1', '2', '3', '4', '5']);
    for (const stop of [...stops, stopOther]) await stop();
  });

  it('delivers an event again when its handler failed', async () => {
    const redis = own(await testRedis());
    const layer = await connectRedisLayer({ url: redis.url, keyPrefix: redis.keyPrefix, log, teardown });
    let attempts = 0;
    const handled: string[] = [];
    const stop = layer.events.consume(
      'flaky',
      async (e) => {
        attempts++;
        if (attempts === 1) throw new Error('store unavailable');
        handled.push(e.id);
      },
      { log, retryAfterMs: 200 },
    );
    await layer.events.append([event(7)]);
    await waitFor(() => handled.length > 0);
    expect(handled).toEqual(['7']);
    expect(attempts).toBe(2);
    await stop();
  });

  it('removes consumers that are gone once their pending events were claimed, and keeps the live one', async () => {
    const redis = own(await testRedis());
    const layer = await connectRedisLayer({ url: redis.url, keyPrefix: redis.keyPrefix, log, teardown });
    const raw = new Redis(redis.url);
    const key = `${redis.keyPrefix}events`;
    await layer.events.append([event(20)]);
    // Two earlier processes of the service: one died holding event 20 unacknowledged, one idle with nothing.
    await raw.xgroup('CREATE', key, 'tidy', '0', 'MKSTREAM');
    await raw.xreadgroup('GROUP', 'tidy', 'dead-holder', 'COUNT', 1, 'STREAMS', key, '>');
    await raw.xgroup('CREATECONSUMER', key, 'tidy', 'dead-idle');
    const names = async () =>
      ((await raw.xinfo('CONSUMERS', key, 'tidy')) as string[][]).map((fields) => String(fields[1])).sort();
    expect(await names()).toEqual(['dead-holder', 'dead-idle']);

    const handled: string[] = [];
    const stop = layer.events.consume('tidy', async (e) => void handled.push(e.id), {
      log,
      retryAfterMs: 100,
      goneAfterMs: 300,
    });
    await waitFor(() => handled.length > 0);
    expect(handled).toEqual(['20']); // claimed from the dead holder, then handled here
    let left: string[] = [];
    for (let attempt = 0; attempt < 60; attempt++) {
      left = await names();
      if (left.length === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(left).toEqual([expect.stringMatching(/-\d+$/)]); // only the live consumer, `<host>-<pid>`
    const pending = (await raw.xpending(key, 'tidy')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
    await stop();
    await raw.quit();
  });

  it('sets aside an unreadable entry and an event that keeps failing, and goes on with the rest', async () => {
    const redis = own(await testRedis());
    const layer = await connectRedisLayer({ url: redis.url, keyPrefix: redis.keyPrefix, log, teardown });
    const raw = new Redis(redis.url);
    await raw.xadd(`${redis.keyPrefix}events`, '*', 'event', '{not json');
    await layer.events.append([event(10, 'Poison'), event(11), event(12)]);
    const handled: string[] = [];
    const stop = layer.events.consume(
      'resilient',
      async (e) => {
        if (e.type === 'Poison') throw new Error('cannot handle');
        handled.push(e.id);
      },
      { log, retryAfterMs: 100 },
    );
    let dead: [string, string[]][] = [];
    for (let attempt = 0; attempt < 100 && dead.length < 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      dead = await raw.xrange(`${redis.keyPrefix}events:dead`, '-', '+');
    }
    expect(handled).toEqual(['11', '12']);
    expect(dead.map(([, fields]) => fields[fields.indexOf('reason') + 1])).toEqual([
      expect.stringMatching(/^unreadable entry/),
      expect.stringMatching(/^handler failed 10 times/),
    ]);
    const pending = (await raw.xpending(`${redis.keyPrefix}events`, 'resilient')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
    await stop();
    await raw.quit();
  });
});

describe('following the event stream', () => {
  const event = (id: number) => ({
    id: String(id),
    type: 'Thing',
    aggregateType: 'Thing',
    aggregateId: 'a',
    payload: {},
    occurredAt: new Date().toISOString(),
  });
  const next = async (follower: Follower) => (await follower.next()).map(({ event }) => event.id);

  it('hears every event appended, by any process, and after a Redis restart goes on from where it was', async () => {
    const server = own(await startPrivateRedis({ appendOnly: true }));
    const layer = await connectRedisLayer({ url: server.url, keyPrefix: 'live:', log, teardown });
    const follower = layer.events.follow();
    await follower.from;
    expect(layer.events.followers()).toBe(1);

    // Another process's append, with nothing published anywhere (as by a relay that died right after it).
    const raw = new Redis(server.url, { maxRetriesPerRequest: 1 });
    raw.on('error', () => undefined);
    await raw.xadd('live:events', '*', 'event', JSON.stringify(event(1)));
    expect(await next(follower)).toEqual(['1']);

    await server.stop();
    await server.start();
    // Appended as soon as Redis is back, perhaps before the follower's connection is: read when it is.
    for (let attempt = 0; attempt < 50; attempt++) {
      const appended = await layer.events.append([event(2), event(3)]).then(
        () => true,
        () => false,
      );
      if (appended) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const heard: string[] = [];
    while (heard.length < 2) heard.push(...(await next(follower)));
    expect(heard).toEqual(['2', '3']);
    follower.close();
    expect(layer.events.followers()).toBe(0);
    raw.disconnect();
  });
});
