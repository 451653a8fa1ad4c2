import { randomUUID } from 'node:crypto';
import { errorCodes, graphqlRequest, startForTest } from '@polystore/testing';
import { testMongo, testRedis, type Disposable } from '@polystore/testing/stores';
import type { Teardown } from '@polystore/common';
import { createMongoSubgraph, type MongoSubgraph } from '../src/server.js';

let url: string;
let subgraph: MongoSubgraph;
let teardown: Teardown;
const fixtures: Disposable[] = [];

beforeAll(async () => {
  const mongo = await testMongo();
  const redis = await testRedis();
  fixtures.push(mongo, redis);
  ({
    server: subgraph,
    url,
    teardown,
  } = await startForTest(createMongoSubgraph, {
    MONGO_URL: mongo.url,
    MONGO_DATABASE: mongo.database,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
  }));
});

afterAll(async () => {
  await teardown?.close();
  for (const fixture of fixtures.reverse()) await fixture.dispose();
});

const UPSERT = `mutation ($input: UpsertProductDetailsInput!) {
  upsertProductDetails(input: $input) { id details { description category tags attributes } }
}`;
const DETAILS = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id details { category tags attributes } } }
}`;

describe('product details', () => {
  it('creates details with category-specific attributes and resolves them for a product entity', async () => {
    const productId = randomUUID();
    const attributes = { color: 'red', sizes: ['S', 'M'], dimensions: { widthCm: 40 } };
    const created = await graphqlRequest(url, UPSERT, {
      input: { productId, description: 'A jacket', category: 'Apparel', tags: ['Rain', 'rain', 'outdoor'], attributes },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data!.upsertProductDetails).toEqual({
      id: productId,
      details: { description: 'A jacket', category: 'apparel', tags: ['rain', 'outdoor'], attributes },
    });

    const other = randomUUID();
    const entities = await graphqlRequest(url, DETAILS, {
      representations: [
        { __typename: 'Product', id: productId },
        { __typename: 'Product', id: other },
      ],
    });
    expect(entities.data!._entities).toEqual([
      { id: productId, details: { category: 'apparel', tags: ['rain', 'outdoor'], attributes } },
      { id: other, details: null },
    ]);
  });

  it('replaces details on a second upsert, keeping one document per product, and serves the new value past the cache', async () => {
    const productId = randomUUID();
    const input = { productId, description: 'v1', category: 'books', attributes: { pages: 100 } };
    await graphqlRequest(url, UPSERT, { input });
    // Read once so the details are in the Redis cache.
    await graphqlRequest(url, DETAILS, { representations: [{ __typename: 'Product', id: productId }] });
    await graphqlRequest(url, UPSERT, { input: { ...input, description: 'v2', attributes: { pages: 200 } } });

    const read = await graphqlRequest(
      url,
      `query ($id: ID!) { productDetails(productId: $id) { description attributes } }`,
      { id: productId },
    );
    expect(read.data!.productDetails).toEqual({ description: 'v2', attributes: { pages: 200 } });
    expect(await subgraph.store.productDetails.countDocuments({ productId })).toBe(1);
  });

  it('rejects malformed input with BAD_USER_INPUT and leaves stored details unchanged', async () => {
    const productId = randomUUID();
    const good = { productId, description: 'kept', category: 'garden', attributes: { size: 'L' } };
    await graphqlRequest(url, UPSERT, { input: good });
    const bad = [
      { ...good, productId: 'not-a-uuid' },
      { ...good, category: 'Not A Slug!' },
      { ...good, attributes: ['a', 'list'] },
      { ...good, attributes: { $where: 'sleep(1000)' } },
      { ...good, attributes: { 'a.b': 1 } },
      { ...good, attributes: { a: { b: { c: { d: { e: { f: 1 } } } } } } },
      { ...good, tags: ['x'.repeat(65)] },
      { ...good, description: 'x'.repeat(10_001) },
    ];
    for (const input of bad) {
      expect(errorCodes(await graphqlRequest(url, UPSERT, { input }))).toEqual(['BAD_USER_INPUT']);
    }
    const stored = await subgraph.store.productDetails.findOne(
      { productId },
      { projection: { _id: 0, description: 1, attributes: 1 } },
    );
    expect(stored).toEqual({ description: 'kept', attributes: { size: 'L' } });
  });

  it('reports ready when MongoDB answers', async () => {
    const response = await fetch(url.replace('/graphql', '/ready'));
    expect(await response.json()).toEqual({ status: 'ready', checks: { mongodb: 'ok' } });
  });
});
