import { Redis } from 'ioredis';
import pg from 'pg';
import { graphqlRequest, type GraphQLResponse, type RedisService } from '@polystore/common';
import { createSqlSubgraph, type SqlSubgraph } from '../../src/server.js';
import { startForTest, startWithFixtures } from '@polystore/testing';
import { testPostgres, testRedis } from '@polystore/testing/stores';

export interface SqlTestBed {
  url: string;
  subgraph: SqlSubgraph;
  keyPrefix: string;
  /** The default user's Redis, for inspection; the subgraph connects as its own user (`redisServiceUrls.sql`). */
  redisUrl: string;
  /** Each service's Redis user on this test's prefix, for the services a test starts beside it. */
  redisServiceUrls: Record<RedisService, string>;
  /** The services' role's connection (DATABASE_URL). */
  databaseUrl: string;
  /** DATABASE_URL, DATABASE_OWNER_URL and DATABASE_READER_ROLE, for another sql-subgraph on the same database. */
  databaseEnv: Record<string, string>;
  /** Every SQL statement the subgraph sent, for tests that count or explain them. */
  statements: { sql: string; parameters: unknown[] }[];
  /** Empties this test's part of the Redis cache, so the next read goes to PostgreSQL. */
  clearCache(): Promise<void>;
  gql(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  /** Runs SQL directly as the schema's owner, as an operator's console or a script would. */
  sql<T = Record<string, unknown>>(text: string, parameters?: unknown[]): Promise<T[]>;
  /** Runs SQL directly as the services' role (DATABASE_URL), as a bug or a stolen connection of a service would. */
  serviceSql<T = Record<string, unknown>>(text: string, parameters?: unknown[]): Promise<T[]>;
  /** A product's stock as stored. */
  stock(productId: string): Promise<number>;
  dispose(): Promise<void>;
}

/** The sql-subgraph on its own database and Redis prefix, with helpers to seed and inspect it. */
export function startSqlTestBed(env: Record<string, string> = {}): Promise<SqlTestBed> {
  return startWithFixtures(async (own) => {
    const postgres = own(await testPostgres());
    const redis = own(await testRedis());
    const statements: SqlTestBed['statements'] = [];
    // One connection each is enough for the tests' own statements; ended in dispose.
    const owner = new pg.Pool({ connectionString: postgres.ownerUrl, max: 1 });
    const service = new pg.Pool({ connectionString: postgres.env.DATABASE_URL, max: 1 });
    own({ dispose: async () => void (await Promise.all([owner.end(), service.end()])) });
    // An idle connection the server ends is dropped by the pool and replaced on the next query; without a
    // listener, pg's pool raises its error as unhandled.
    for (const pool of [owner, service]) pool.on('error', () => undefined);
    const run =
      (pool: pg.Pool) =>
      async <T>(text: string, parameters: unknown[] = []) =>
        (await pool.query(text, parameters)).rows as T[];
    const started = own(
      await startForTest(
        (context) =>
          createSqlSubgraph(context, { onQuery: (sql, parameters = []) => statements.push({ sql, parameters }) }),
        {
          ...postgres.env,
          REDIS_URL: redis.serviceUrls.sql,
          REDIS_KEY_PREFIX: redis.keyPrefix,
          OUTBOX_POLL_INTERVAL_MS: '50',
          ...env,
        },
      ),
    );
    const { url, server: subgraph } = started;
    return {
      url,
      subgraph,
      keyPrefix: redis.keyPrefix,
      redisUrl: redis.url,
      redisServiceUrls: redis.serviceUrls,
      databaseUrl: postgres.env.DATABASE_URL!,
      databaseEnv: postgres.env,
      statements,
      gql: (query, variables) => graphqlRequest(url, query, variables),
      sql: run(owner),
      serviceSql: run(service),
      async clearCache() {
        const client = new Redis(redis.url);
        const keys = await client.keys(`${redis.keyPrefix}sql:*`);
        if (keys.length > 0) await client.del(...keys);
        await client.quit();
      },
      stock: async (productId) => {
        const rows = await run(owner)<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId]);
        return rows[0]!.stock;
      },
    };
  });
}

let sequence = 0;

/** Creates a user and products through the API; returns their ids. */
export async function seedCatalog(
  bed: SqlTestBed,
  products: { price?: number; currency?: string; stock: number }[],
): Promise<{ userId: string; productIds: string[] }> {
  const run = `${Date.now().toString(36)}${sequence++}`;
  const user = await bed.gql(`mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
    input: { email: `buyer-${run}@example.com`, name: 'Buyer' },
  });
  const productIds: string[] = [];
  for (const [i, product] of products.entries()) {
    const created = await bed.gql(`mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`, {
      input: {
        sku: `SKU-${run}-${i}`,
        name: `Product ${i}`,
        price: { amount: product.price ?? 1000, currency: product.currency ?? 'USD' },
        stock: product.stock,
      },
    });
    if (created.errors) throw new Error(JSON.stringify(created.errors));
    productIds.push(created.data!.createProduct.id);
  }
  return { userId: user.data!.createUser.id, productIds };
}

export const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    id status total { amount currency }
    items { quantity unitPrice { amount currency } subtotal { amount } product { id stock } }
    history { from to }
  }
}`;

/** Seeds a user and one product with `stock`, and places one order of `quantity` of it through the API. */
export async function placeOneOrder(
  bed: SqlTestBed,
  stock = 5,
  quantity = 2,
): Promise<{ orderId: string; productId: string; userId: string }> {
  const { userId, productIds } = await seedCatalog(bed, [{ stock }]);
  const productId = productIds[0]!;
  const placed = await bed.gql(PLACE_ORDER, { input: { userId, items: [{ productId, quantity }] } });
  return { orderId: placed.data!.placeOrder.id as string, productId, userId };
}
