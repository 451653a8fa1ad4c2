import { setMaxListeners } from 'node:events';
import { Redis } from 'ioredis';
import { graphqlRequest, type Env } from '@polystore/common';
import { composeSupergraph } from '@polystore/gateway/compose';
import { createGateway } from '@polystore/gateway';
import { createMongoSubgraph } from '@polystore/mongo-subgraph';
import { createSqlSubgraph } from '@polystore/sql-subgraph';
import { createStorageSubgraph } from '@polystore/storage-subgraph';
import { testServiceContext } from '@polystore/testing';
import { adminHeaders, BENCH_AUTH_ENV } from '../lib/stack.js';
import { startPrivateRedis, testMongo, testPostgres, testS3, type Disposable } from '@polystore/testing/stores';
import { tracked } from '../lib/cleanup.js';
import { countingHttpProxy, countingTcpProxy } from '../lib/counting-proxies.js';
import { ComponentError } from '../lib/process.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';

/** The page sizes tried; 100 is the API's largest page (MAX_PAGE_SIZE). */
const SIZES = [10, 100];
const QUERY = (n: number) => `{ products(first: ${n}) { edges { node {
  sku name price { amount } stock details { category tags } rating { average count } images { filename } } } } }`;

/** A private redis-server, so INFO commandstats counts only this stack's commands. */
async function privateRedis(): Promise<Disposable & { url: string; client: Redis }> {
  let server;
  try {
    server = await startPrivateRedis();
  } catch (err) {
    throw new ComponentError(`private redis-server could not start: ${String(err)}`);
  }
  const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  return {
    url: server.url,
    client,
    async dispose() {
      client.disconnect();
      await server.dispose();
    },
  };
}

const commandCalls = async (redis: Redis) =>
  [...(await redis.info('commandstats')).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)]
    .filter(([, name]) => name !== 'info' && name !== 'config')
    .reduce((sum, [, , calls]) => sum + Number(calls), 0);

/**
 * Store round trips per request as lists grow: the stack in this process with
 * counters on every store (PostgreSQL statements from the sql-subgraph's
 * query hook, MongoDB commands from driver command monitoring, S3 calls
 * through a counting proxy, Redis commands from INFO commandstats of a
 * private redis-server and its round trips through a counting TCP proxy), one query of N products with fields from all three
 * subgraphs, cold (entity cache emptied) and warm. Counts must stay flat.
 */
export const nPlusOne: Scenario = {
  name: 'n+1',
  description: 'store round trips per request for 10 and 100 products (SQL, MongoDB, S3, Redis), cold and warm cache',
  async run() {
    setMaxListeners(0); // the gateway runs in this process: as gateway/src/index.ts
    const fixtures: Disposable[] = [];
    const contexts: ReturnType<typeof testServiceContext>[] = [];
    try {
      // One at a time, each registered as it is made: a failure leaves nothing behind.
      const keep = <T extends Disposable>(fixture: T) => (fixtures.push(tracked(fixture)), fixture);
      const redis = keep(await privateRedis());
      const redisProxy = keep(await countingTcpProxy(new URL(redis.url)));
      const postgres = keep(await testPostgres());
      const mongo = keep(await testMongo());
      const s3 = keep(await testS3());
      const proxy = await countingHttpProxy(s3.endpoint);
      fixtures.push(proxy);
      let statements = 0;
      let mongoCommands = 0;
      const env: Env = {
        ...BENCH_AUTH_ENV,
        GATEWAY_RATE_LIMIT: '0',
        DATABASE_URL: postgres.url,
        REDIS_URL: redisProxy.url,
        REDIS_KEY_PREFIX: 'bench:',
        MONGO_URL: mongo.url,
        MONGO_DATABASE: mongo.database,
        S3_ENDPOINT: proxy.url,
        S3_BUCKET: s3.bucket,
      };
      const context = () => {
        const created = testServiceContext(env);
        contexts.push(created);
        return created;
      };
      const sql = await createSqlSubgraph(context(), { onQuery: () => statements++ });
      env.SQL_SUBGRAPH_URL = await sql.listen(0);
      const mongoSubgraph = await createMongoSubgraph(context());
      mongoSubgraph.store.client.on('commandStarted', () => mongoCommands++);
      const storage = await createStorageSubgraph(context());
      const urls = {
        sql: env.SQL_SUBGRAPH_URL,
        mongo: await mongoSubgraph.listen(0),
        storage: await storage.listen(0),
      };
      const gateway = await createGateway({ ...context(), supergraph: composeSupergraph(urls) });
      const url = await gateway.listen(0);

      const tag = Date.now().toString(36);
      for (let i = 0; i < Math.max(...SIZES); i++) {
        const body = await graphqlRequest(
          url,
          'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
          {
            input: {
              sku: `NPLUS1-${tag}-${i}`,
              name: `N+1 product ${i}`,
              price: { amount: 100 + i, currency: 'EUR' },
              stock: 5,
            },
          },
          { headers: adminHeaders() },
        );
        if (body.errors) throw new Error(`seeding failed: ${JSON.stringify(body.errors)}`);
      }
      await new Promise((r) => setTimeout(r, 1_000)); // let product events settle

      const rows: Row[] = [];
      for (const cache of ['cold', 'warm'] as const) {
        for (const size of SIZES) {
          if (cache === 'cold') await redis.client.flushdb();
          else await graphqlRequest(url, QUERY(size), undefined, { headers: adminHeaders() }); // fill the cache
          await redis.client.config('RESETSTAT');
          const before = { statements, mongoCommands, s3: proxy.count(), redisWrites: redisProxy.count() };
          const body = await graphqlRequest(url, QUERY(size), undefined, { headers: adminHeaders() });
          if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
          const counts = {
            'pg statements': statements - before.statements,
            'mongo commands': mongoCommands - before.mongoCommands,
            's3 calls': proxy.count() - before.s3,
            'redis commands': await commandCalls(redis.client),
            'redis round trips': redisProxy.count() - before.redisWrites,
          };
          process.stderr.write(`  n+1 ${size} products, ${cache}: ${JSON.stringify(counts)}\n`);
          rows.push({ scenario: 'n+1', variant: `${size} products, ${cache} cache`, side: 'polystore', extra: counts });
        }
      }
      return rows;
    } finally {
      for (const { teardown } of contexts.reverse()) await teardown.close();
      for (const fixture of fixtures.reverse()) await fixture.dispose();
    }
  },
};
