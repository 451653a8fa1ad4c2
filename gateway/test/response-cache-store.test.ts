import { Redis } from 'ioredis';
import { createLogger } from '@polystore/common';
import { testRedis, type Disposable } from '@polystore/testing/stores';
import {
  createRedisResponseStore,
  type CacheEntityRecord,
  type RedisResponseStore,
} from '../src/plugins/response-cache/redis-store.js';

/**
 * The response store against the real Redis, step by step as the response
 * cache plugin calls it (a lookup that misses, then the answer stored once it
 * has been sent), with an invalidation placed in between: no timing involved.
 */
let fixture: Disposable & { url: string; keyPrefix: string };
let redis: Redis;
let store: RedisResponseStore;

const PRODUCT = { typename: 'Product', id: 'p1' };
const ANSWER = { data: { product: { id: 'p1', name: 'Kettle' } } };
const TTL_MS = 60_000;

beforeAll(async () => {
  fixture = await testRedis();
  redis = new Redis(fixture.url);
  store = createRedisResponseStore(redis, fixture.keyPrefix, createLogger('test', 'silent', 'json'), {
    rememberInvalidationsMs: 60_000,
  });
});

afterAll(async () => {
  await redis?.quit();
  await fixture?.dispose();
});

let response = 0;
const nextId = () => `response-${++response}`;

/** A new request's lookup, which misses: its execution begins now. Returns the answer's id. */
async function lookupMisses(): Promise<string> {
  const id = nextId();
  expect(await store.get(id)).toBeUndefined();
  return id;
}

/** Answers stored by whole requests (lookup, execution, store), each holding one entity; their ids. */
async function storedAnswers<const Entities extends readonly CacheEntityRecord[]>(
  ...entities: Entities
): Promise<{ [K in keyof Entities]: string }> {
  const ids: string[] = [];
  for (const entity of entities) {
    const id = nextId();
    await store.get(id);
    await store.set(id, ANSWER, [entity], TTL_MS);
    ids.push(id);
  }
  return ids as { [K in keyof Entities]: string };
}

describe('response store', () => {
  it('stores an answer no invalidation overtook, and serves it', async () => {
    const id = await lookupMisses();
    await store.set(id, ANSWER, [PRODUCT], TTL_MS);
    expect(await store.get(id)).toEqual(ANSWER);
  });

  it('refuses an answer whose execution began before an invalidation of an entity in it', async () => {
    const id = nextId();
    // The lookup misses and execution begins (reading the old product) ...
    expect(await store.get(id)).toBeUndefined();
    // ... a write changes the product and invalidates it before the slow answer is stored ...
    await store.invalidate([PRODUCT]);
    // ... and the stale answer must not be cached.
    await store.set(id, ANSWER, [PRODUCT], TTL_MS);
    expect(await store.get(id)).toBeUndefined();
    expect(await redis.exists(`${fixture.keyPrefix}response:${id}`)).toBe(0);
  });

  it('stores an answer begun after the invalidation', async () => {
    await store.invalidate([PRODUCT]);
    const id = await lookupMisses();
    await store.set(id, ANSWER, [PRODUCT], TTL_MS);
    expect(await store.get(id)).toEqual(ANSWER);
  });

  it('is not held back by invalidations of entities the answer does not hold', async () => {
    const id = await lookupMisses();
    await store.invalidate([{ typename: 'Product', id: 'p2' }]);
    await store.set(id, ANSWER, [PRODUCT], TTL_MS);
    expect(await store.get(id)).toEqual(ANSWER);
  });

  it('drops every stored answer holding an invalidated entity, and keeps the others', async () => {
    const [first, second, other] = await storedAnswers(PRODUCT, PRODUCT, { typename: 'User', id: 'u1' });
    await store.invalidate([PRODUCT]);
    expect(await store.get(first)).toBeUndefined();
    expect(await store.get(second)).toBeUndefined();
    expect(await store.get(other)).toEqual(ANSWER);
  });

  it('does not store an answer without a lookup behind it (its start is unknown)', async () => {
    const id = nextId();
    await store.set(id, ANSWER, [PRODUCT], TTL_MS);
    expect(await redis.exists(`${fixture.keyPrefix}response:${id}`)).toBe(0);
  });

  it('keeps the earlier start when two requests for one answer overlap an invalidation', async () => {
    const id = nextId();
    expect(await store.get(id)).toBeUndefined(); // request A begins
    await store.invalidate([PRODUCT]);
    expect(await store.get(id)).toBeUndefined(); // request B begins, after the write
    await store.set(id, ANSWER, [PRODUCT], TTL_MS); // A's stale answer arrives first
    expect(await store.get(id)).toBeUndefined();
  });

  it('drops an answer holding a product without its id when any product changes, and keeps it for a user', async () => {
    const [id] = await storedAnswers({ typename: 'Product' });
    await store.invalidate([{ typename: 'User', id: 'u1' }]);
    expect(await store.get(id)).toEqual(ANSWER);
    await store.invalidate([{ typename: 'Product', id: 'p-any' }]);
    expect(await store.get(id)).toBeUndefined();
  });

  it('refuses an answer holding a product without its id when any product changed during its execution', async () => {
    const id = await lookupMisses();
    await store.invalidate([{ typename: 'Product', id: 'p-any' }]);
    await store.set(id, ANSWER, [{ typename: 'Product' }], TTL_MS);
    expect(await store.get(id)).toBeUndefined();
  });

  it('drops every answer holding a product when a mutation changed one without saying which', async () => {
    const [known, unknown, other] = await storedAnswers(
      PRODUCT,
      { typename: 'Product' },
      { typename: 'User', id: 'u1' },
    );
    await store.invalidate([{ typename: 'Product' }]);
    expect(await store.get(known)).toBeUndefined();
    expect(await store.get(unknown)).toBeUndefined();
    expect(await store.get(other)).toEqual(ANSWER);
    // And an answer begun before it is refused too.
    const late = nextId();
    await store.get(late);
    await store.invalidate([{ typename: 'Product' }]);
    await store.set(late, ANSWER, [PRODUCT], TTL_MS);
    expect(await store.get(late)).toBeUndefined();
  });

  it('tells when the invalidations begun so far have reached Redis, for a read on another replica', async () => {
    const other = new Redis(fixture.url);
    try {
      const replica = createRedisResponseStore(other, fixture.keyPrefix, createLogger('test', 'silent', 'json'), {
        rememberInvalidationsMs: 60_000,
      });
      const id = nextId();
      await replica.get(id);
      await replica.set(id, ANSWER, [PRODUCT], TTL_MS);
      expect(await replica.get(id)).toEqual(ANSWER);
      // The cache plugin starts a mutation's invalidation without awaiting it.
      void store.invalidate([PRODUCT]);
      await store.invalidated();
      expect(await replica.get(id)).toBeUndefined();
    } finally {
      await other.quit();
    }
  });
});
