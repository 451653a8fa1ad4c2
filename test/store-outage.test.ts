import { randomUUID } from 'node:crypto';
import type { Env, ServiceContext } from '@polystore/common';
import { errorCodes, graphqlRequest, startForTest } from '@polystore/testing';
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
    const postgres = await startPrivatePostgres();
    cleanups.push(() => postgres.dispose());
    const { url } = await start(createSqlSubgraph, { DATABASE_URL: postgres.url, DATABASE_CONNECT_TIMEOUT_MS: '1000' });
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
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.dispose());
    const postgres = await testPostgres();
    cleanups.push(() => postgres.dispose());
    const { url } = await start(createSqlSubgraph, { DATABASE_URL: postgres.url, REDIS_URL: redis.url });
    const created = await graphqlRequest(
      url,
      `mutation { createUser(input: { email: "r@example.com", name: "R" }) { id } }`,
    );
    const id = created.data!.createUser.id as string;
    await graphqlRequest(url, `query ($id: ID!) { user(id: $id) { id } }`, { id });

    await redis.stop();
    const read = await graphqlRequest(url, `query ($id: ID!) { user(id: $id) { email } }`, { id });
    expect(read).toEqual({ data: { user: { email: 'r@example.com' } } });
    const another = await graphqlRequest(
      url,
      `mutation { createUser(input: { email: "r2@example.com", name: "R2" }) { email } }`,
    );
    expect(another).toEqual({ data: { createUser: { email: 'r2@example.com' } } });
  }, 60_000);

  const embeddedMongo = process.env.MONGO_URL ? it.skip : it;
  embeddedMongo(
    'MongoDB: fails fast with SERVICE_UNAVAILABLE and reports not ready',
    async () => {
      const mongo = await startEmbeddedMongo({ port: await freePort() });
      let running = true;
      cleanups.push(async () => {
        if (running) await mongo.stop();
      });
      const redis = await testRedis();
      cleanups.push(() => redis.dispose());
      const { url } = await start(createMongoSubgraph, {
        MONGO_URL: mongo.url,
        MONGO_SERVER_SELECTION_TIMEOUT_MS: '1000',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.keyPrefix,
      });
      await mongo.stop();
      running = false;
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
      let running = true;
      cleanups.push(async () => {
        if (running) await s3.stop();
        await rm(dataDir, { recursive: true, force: true });
      });
      const { url } = await start(createStorageSubgraph, { S3_ENDPOINT: s3.url, S3_BUCKET: 'outage' });
      await s3.stop();
      running = false;
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
