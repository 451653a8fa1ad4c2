import { Redis } from 'ioredis';
import { CacheFence, createLogger } from '@polystore/common';
import { eventually } from '@polystore/testing';
import { startPrivateRedis, type PrivateServer } from '@polystore/testing/stores';
import { createRedisResponseStore, type RedisResponseStore } from '../src/plugins/response-cache/redis-store.js';

/**
 * The response cache across a Redis outage: a cached answer, Redis killed
 * with -9, the entity in it changed (the invalidation cannot reach Redis),
 * Redis restarted from its append-only file with the old answer in it. The
 * store must not serve that answer, nor store one whose lookup came before
 * the outage.
 */
const log = createLogger('test', 'silent', 'json');
const PRODUCT = { typename: 'Product', id: 'p1' };
const ANSWER = { data: { product: { id: 'p1', price: 1000 } } };
const TTL_MS = 60_000;
let server: PrivateServer;
let client: Redis;
let probe: Redis;
let store: RedisResponseStore;
let fence: CacheFence;

beforeAll(async () => {
  server = await startPrivateRedis({ appendOnly: true });
  // As the gateway's command connection: commands fail at once while Redis is away.
  client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => undefined);
  probe = new Redis(server.url, { retryStrategy: () => 100 });
  probe.on('error', () => undefined);
  fence = new CacheFence(client, 'rc:response:', log);
  store = createRedisResponseStore(client, 'rc:', log, { rememberInvalidationsMs: 60_000, fence });
  await eventually(async () => fence.isOpen, 'the cache opens after its first flush');
});

afterAll(async () => {
  client?.disconnect();
  probe?.disconnect();
  await server?.dispose();
});

describe('response cache after a Redis outage', () => {
  it('serves neither an answer an invalidation lost during the outage made stale, nor one looked up before it', async () => {
    expect(await store.get('cached')).toBeUndefined();
    await store.set('cached', ANSWER, [PRODUCT], TTL_MS);
    expect(await store.get('cached')).toEqual(ANSWER);
    // A second answer is being computed when Redis goes away.
    expect(await store.get('in-flight')).toBeUndefined();

    await server.stop();
    await store.invalidate([PRODUCT]); // the price changed: this cannot reach Redis
    await server.start();
    await eventually(async () => client.status === 'ready', 'the store reconnects');

    expect(await store.get('cached')).toBeUndefined();
    await eventually(async () => fence.isOpen, 'the cache opens again after the flush');
    expect(await store.get('cached')).toBeUndefined();
    expect(await probe.exists('rc:response:cached')).toBe(0);

    await store.set('in-flight', ANSWER, [PRODUCT], TTL_MS);
    expect(await probe.exists('rc:response:in-flight')).toBe(0);

    // And answers computed now are cached again.
    expect(await store.get('later')).toBeUndefined();
    await store.set('later', ANSWER, [PRODUCT], TTL_MS);
    expect(await store.get('later')).toEqual(ANSWER);
  });
});
