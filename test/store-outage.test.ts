import { randomUUID } from 'node:crypto';
import type { Env, ServiceContext } from '@polystore/common';
import { Redis } from 'ioredis';
import { errorCodes, eventually, graphqlRequest, startForTest } from '@polystore/testing';
import { freePort, startEmbeddedMongo, startEmbeddedS3 } from '@polystore/embedded';
import { startPrivatePostgres, startPrivateRedis, testRedis, testPostgres } from '@polystore/testing/stores';
import { createMongoSubgraph } from '@polystore/mongo-subgraph';
import { createSqlSubgraph } from '@polystore/sql-subgraph';
import { createStorageSubgraph } from '@polystore/storage-subgraph';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A store that goes away must turn into a fast, clear answer: `/ready` says
 * 503 with the reason, and GraphQL gives SERVICE_UNAVAILABLE instead of
 * hanging. Each case runs against a server of its own that it can stop.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start<T extends { listen(port: number): Promise<string> }>(
  create: (context: ServiceContext) => Promise<T>,
  env: Env,
) {
  const started = await startForTest(create, env);
  cleanups.push(() => started.teardown.close(5_000));
  return started;
}

/** A server the case owns: disposed after it, in the reverse order of arrival. */
async function owned<T extends { dispose(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const started = await server;
  cleanups.push(() => started.dispose());
  return started;
}

/** The sql-subgraph of a case, on a test database of its own unless `env` names one. */
async function startSqlSubgraph(env: Env) {
  const database = env.DATABASE_URL ? {} : { DATABASE_URL: (await owned(testPostgres())).url };
  return start(createSqlSubgraph, { ...database, ...env });
}

/** An embedded store the case stops itself (returned: how); stopped after the case if the case did not. */
function stoppedByTheCase(store: { stop(): Promise<void> }, afterwards?: () => Promise<void>) {
  let running = true;
  cleanups.push(async () => {
    if (running) await store.stop();
    await afterwards?.();
  });
  return async () => {
    await store.stop();
    running = false;
  };
}

async function expectUnavailable(url: string, query: string, variables?: Record<string, unknown>) {
  const started = Date.now();
  const response = await graphqlRequest(url, query, variables);
  expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
  const elapsed = Date.now() - started;
  const ready = await fetch(url.replace('/graphql', '/ready'));
  expect(ready.status).toBe(503);
  return elapsed;
}

describe('when a store is down', () => {
  it('PostgreSQL: fails fast with SERVICE_UNAVAILABLE, then serves again once it is back', async () => {
    const postgres = await owned(startPrivatePostgres());
    const { url } = await startSqlSubgraph({ DATABASE_URL: postgres.url, DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    const created = await graphqlRequest(
      url,
      `mutation { createUser(input: { email: "o@example.com", name: "O" }) { id } }`,
    );
    const id = created.data!.createUser.id as string;

    await postgres.stop();
    const elapsed = await expectUnavailable(url, `query ($id: ID!) { user(id: $id) { email } }`, { id: randomUUID() });
    expect(elapsed).toBeLessThan(15_000);

    await postgres.start();
    const read = await graphqlRequest(url, `query ($id: ID!) { user(id: $id) { email } }`, { id });
    expect(read).toEqual({ data: { user: { email: 'o@example.com' } } });
    expect((await fetch(url.replace('/graphql', '/ready'))).status).toBe(200);
  }, 60_000);

  it('Redis: queries and writes still succeed, only uncached', async () => {
    const redis = await owned(startPrivateRedis());
    const { url } = await startSqlSubgraph({ REDIS_URL: redis.url });
    const created = await graphqlRequest(
      url,
      `mutation { createUser(input: { email: "r@example.com", name: "R" }) { id } }`,
    );
    const id = created.data!.createUser.id as string;
    await graphqlRequest(url, `query ($id: ID!) { user(id: $id) { id } }`, { id });

    await redis.stop();
    // Serving, but without Redis: degraded, not unavailable, and the check says what is missing.
    const ready = await fetch(url.replace('/graphql', '/ready'));
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('degraded');
    expect(body.checks.postgres).toBe('ok');
    expect(body.checks.redis).not.toBe('ok');
    const read = await graphqlRequest(url, `query ($id: ID!) { user(id: $id) { email } }`, { id });
    expect(read).toEqual({ data: { user: { email: 'r@example.com' } } });
    const another = await graphqlRequest(
      url,
      `mutation { createUser(input: { email: "r2@example.com", name: "R2" }) { email } }`,
    );
    expect(another).toEqual({ data: { createUser: { email: 'r2@example.com' } } });
  }, 60_000);

  it('Redis restarted from its append-only file: the first read after it is back has the price changed meanwhile', async () => {
    const redis = await owned(startPrivateRedis({ appendOnly: true }));
    const { url } = await startSqlSubgraph({ REDIS_URL: redis.url });
    const created = await graphqlRequest(
      url,
      `mutation { createProduct(input: { sku: "AOF-1", name: "Kettle", price: { amount: 1000, currency: "EUR" } }) { id } }`,
    );
    const id = created.data!.createProduct.id as string;
    const price = async () =>
      (await graphqlRequest(url, `query ($id: ID!) { product(id: $id) { price { amount } } }`, { id })).data!.product
        .price.amount as number;
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    probe.on('error', () => undefined);
    cleanups.push(async () => probe.disconnect());
    // Cached: the entry is in Redis, and in its append-only file.
    let productKey: string | undefined;
    await eventually(async () => {
      await price();
      productKey = (await probe.keys(`*Product:${id}`).catch(() => []))[0];
      return productKey !== undefined;
    }, 'cached');
    expect(await price()).toBe(1000);

    await redis.stop();
    const updated = await graphqlRequest(
      url,
      `mutation ($id: ID!) { updateProduct(input: { id: $id, price: { amount: 1250, currency: "EUR" } }) { price { amount } } }`,
      { id },
    );
    expect(updated).toEqual({ data: { updateProduct: { price: { amount: 1250 } } } });

    await redis.start();
    // The old entry came back with the file (the service may already be deleting it): the first read
    // once the service's cache connection is back must not serve it.
    const connected = async () => /name=polystore:command/.test(String(await probe.client('LIST').catch(() => '')));
    await eventually(connected, "the service's command connection is back");
    expect(await price()).toBe(1250);
    for (let read = 0; read < 5; read++) expect(await price()).toBe(1250);
    // And the cache serves again once it was emptied.
    await eventually(async () => (await price(), (await probe.exists(productKey!)) === 1), 'cached again');
  }, 60_000);

  const embeddedMongo = process.env.MONGO_URL ? it.skip : it;
  embeddedMongo(
    'MongoDB: fails fast with SERVICE_UNAVAILABLE and reports not ready',
    async () => {
      const mongo = await startEmbeddedMongo({ port: await freePort() });
      const stopMongo = stoppedByTheCase(mongo);
      const redis = await owned(testRedis());
      const { url } = await start(createMongoSubgraph, {
        MONGO_URL: mongo.url,
        MONGO_SERVER_SELECTION_TIMEOUT_MS: '1000',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.keyPrefix,
      });
      await stopMongo();
      const elapsed = await expectUnavailable(url, `query ($id: ID!) { productDetails(productId: $id) { category } }`, {
        id: randomUUID(),
      });
      expect(elapsed).toBeLessThan(15_000);
    },
    60_000,
  );

  const embeddedS3 = process.env.S3_ENDPOINT ? it.skip : it;
  embeddedS3(
    'S3: fails fast with SERVICE_UNAVAILABLE and reports not ready',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'polystore-outage-'));
      const s3 = await startEmbeddedS3({ dataDir, port: await freePort(), buckets: ['outage'] });
      const stopS3 = stoppedByTheCase(s3, () => rm(dataDir, { recursive: true, force: true }));
      const { url } = await start(createStorageSubgraph, { S3_ENDPOINT: s3.url, S3_BUCKET: 'outage' });
      await stopS3();
      const elapsed = await expectUnavailable(
        url,
        `query ($id: ID!) { _entities(representations: [{ __typename: "Product", id: $id }]) { ... on Product { images { id } } } }`,
        {
          id: randomUUID(),
        },
      );
      expect(elapsed).toBeLessThan(15_000);
    },
    60_000,
  );
});
