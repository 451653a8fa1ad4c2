import type { Teardown } from '@polystore/common';
import { errorCodes, graphqlRequest, startForTest, type GraphQLResponse } from '@polystore/testing';
import { testPostgres, testRedis, type Disposable } from '@polystore/testing/stores';
import { createSqlSubgraph, type SqlSubgraph } from '../src/server.js';

let url: string;
let subgraph: SqlSubgraph;
let teardown: Teardown;
const fixtures: Disposable[] = [];

beforeAll(async () => {
  const postgres = await testPostgres();
  const redis = await testRedis();
  fixtures.push(postgres, redis);
  ({
    server: subgraph,
    url,
    teardown,
  } = await startForTest(createSqlSubgraph, {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.serviceUrls.sql,
    REDIS_KEY_PREFIX: redis.keyPrefix,
  }));
});

afterAll(async () => {
  await teardown?.close();
  for (const fixture of fixtures.reverse()) await fixture.dispose();
});

const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id email name createdAt } }`;
const CREATE_PRODUCT = `mutation ($input: CreateProductInput!) {
  createProduct(input: $input) { id sku name price { amount currency } stock }
}`;

describe('users', () => {
  it('creates a user, normalising the email, and reads it back by id', async () => {
    const created = await graphqlRequest(url, CREATE_USER, { input: { email: ' Ada@Example.COM ', name: 'Ada' } });
    expect(created.errors).toBeUndefined();
    const user = created.data!.createUser;
    expect(user).toMatchObject({ email: 'ada@example.com', name: 'Ada' });

    const read = await graphqlRequest(url, `query ($id: ID!) { user(id: $id) { id email } }`, { id: user.id });
    expect(read.data!.user).toEqual({ id: user.id, email: 'ada@example.com' });
  });

  it('rejects a duplicate email with CONFLICT and keeps the first user', async () => {
    await graphqlRequest(url, CREATE_USER, { input: { email: 'dup@example.com', name: 'First' } });
    const second = await graphqlRequest(url, CREATE_USER, { input: { email: 'DUP@example.com', name: 'Second' } });
    expect(errorCodes(second)).toEqual(['CONFLICT']);
    expect(second.errors![0]!.extensions!.field).toBe('email');
    const rows = await subgraph.db.query(`SELECT name FROM users WHERE email = 'dup@example.com'`);
    expect(rows).toEqual([{ name: 'First' }]);
  });

  it('rejects malformed input with BAD_USER_INPUT and writes nothing', async () => {
    const before = await subgraph.db.query('SELECT count(*)::int AS n FROM users');
    for (const input of [
      { email: 'not-an-email', name: 'X' },
      { email: 'x@example.com', name: '   ' },
      { email: 'x@example.com', name: 'y'.repeat(201) },
    ]) {
      expect(errorCodes(await graphqlRequest(url, CREATE_USER, { input }))).toEqual(['BAD_USER_INPUT']);
    }
    const after = await subgraph.db.query('SELECT count(*)::int AS n FROM users');
    expect(after).toEqual(before);
  });

  it('returns null for an unknown id and BAD_USER_INPUT for a malformed one', async () => {
    const unknown = await graphqlRequest(url, `{ user(id: "00000000-0000-4000-8000-000000000000") { id } }`);
    expect(unknown).toEqual({ data: { user: null } });
    const malformed = await graphqlRequest(url, `{ user(id: "42") { id } }`);
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
  });

  it('pages through users with stable cursors and a total count', async () => {
    for (let i = 0; i < 5; i++) {
      await graphqlRequest(url, CREATE_USER, { input: { email: `page${i}@example.com`, name: `Page ${i}` } });
    }
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let page = 0; page < 10; page++) {
      const response: GraphQLResponse = await graphqlRequest(
        url,
        `query ($after: String) { users(first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const connection = response.data!.users as {
        totalCount: number;
        edges: { node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
      total = connection.totalCount;
      seen.push(...connection.edges.map((edge) => edge.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('rejects a forged cursor and an out-of-range page size with BAD_USER_INPUT', async () => {
    const forged = await graphqlRequest(url, `{ users(first: 2, after: "bm90LWEtY3Vyc29y") { totalCount } }`);
    expect(errorCodes(forged)).toEqual(['BAD_USER_INPUT']);
    const tooMany = await graphqlRequest(url, `{ users(first: 1000) { totalCount } }`);
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('products', () => {
  it('creates a product with money in minor units and resolves it as an entity', async () => {
    const created = await graphqlRequest(url, CREATE_PRODUCT, {
      input: { sku: 'TENT-2P', name: 'Two-person tent', price: { amount: 24900, currency: 'usd' }, stock: 7 },
    });
    expect(created.errors).toBeUndefined();
    const product = created.data!.createProduct;
    expect(product).toMatchObject({ sku: 'TENT-2P', price: { amount: 24900, currency: 'USD' }, stock: 7 });

    const entities = await graphqlRequest(
      url,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id sku } } }`,
      {
        representations: [
          { __typename: 'Product', id: product.id },
          { __typename: 'Product', id: 'not-a-uuid' },
        ],
      },
    );
    expect(entities.data!._entities).toEqual([{ id: product.id, sku: 'TENT-2P' }, null]);
  });

  it('rejects a duplicate sku with CONFLICT and negative money or stock with BAD_USER_INPUT', async () => {
    const input = { sku: 'LAMP-1', name: 'Lamp', price: { amount: 1000, currency: 'EUR' } };
    expect((await graphqlRequest(url, CREATE_PRODUCT, { input })).errors).toBeUndefined();
    expect(errorCodes(await graphqlRequest(url, CREATE_PRODUCT, { input: { ...input, name: 'Other lamp' } }))).toEqual([
      'CONFLICT',
    ]);
    const bad = [
      { ...input, sku: 'LAMP-2', price: { amount: -1, currency: 'EUR' } },
      { ...input, sku: 'LAMP-3', price: { amount: 1, currency: 'EURO' } },
      { ...input, sku: 'LAMP-4', stock: -5 },
      { ...input, sku: 'bad sku!' },
    ];
    for (const candidate of bad) {
      expect(errorCodes(await graphqlRequest(url, CREATE_PRODUCT, { input: candidate }))).toEqual(['BAD_USER_INPUT']);
    }
    const rows = await subgraph.db.query(`SELECT sku, name FROM products WHERE sku LIKE 'LAMP%'`);
    expect(rows).toEqual([{ sku: 'LAMP-1', name: 'Lamp' }]);
  });

  it('enforces the same rules in the database for writers that bypass the API', async () => {
    await expect(
      subgraph.db.query(
        `INSERT INTO products (sku, name, price_amount, price_currency, stock) VALUES ('X-1', 'x', 1, 'USD', -1)`,
      ),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('health', () => {
  it('reports ready when PostgreSQL, Redis and the outbox relay answer', async () => {
    const response = await fetch(url.replace('/graphql', '/ready'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok', events: 'ok' } });
  });
});
