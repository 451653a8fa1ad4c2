import {
  serveMetrics,
  type DestinationStream,
  type Env,
  type RedisService,
  type ServiceContext,
  type ServiceMetrics,
} from '@polystore/common';
import { composeSupergraph } from '@polystore/gateway/compose';
import { createGateway } from '@polystore/gateway';
import { createMongoSubgraph, type MongoSubgraph } from '@polystore/mongo-subgraph';
import { createSqlSubgraph, type SqlSubgraph } from '@polystore/sql-subgraph';
import { createStorageSubgraph, type StorageSubgraph } from '@polystore/storage-subgraph';
import { startedOncePerFile, TEST_AUTH_ENV, testServiceContext } from '@polystore/testing';
import type { TestSubscription } from '@polystore/testing/subscriptions';
import { testStores, type Disposable, type TestS3, type testRedis } from '@polystore/testing/stores';

export interface TestStack {
  gatewayUrl: string;
  subgraphUrls: { sql: string; mongo: string; storage: string };
  /** Each service's `/metrics`, on its own listener (the GraphQL ports answer 404 there). */
  metricsUrls: { gateway: string; sql: string; mongo: string; storage: string };
  /** `url` as the default user (for inspection); `serviceUrls`: what each service connects with. */
  redis: { url: string; keyPrefix: string; serviceUrls: Record<RedisService, string> };
  /** The variables every service of this stack was started with (for a second gateway on the same stores). */
  env: Env;
  sql: SqlSubgraph;
  mongo: MongoSubgraph;
  storage: StorageSubgraph;
  s3: TestS3;
  dispose(): Promise<void>;
}

/** A service's `/metrics` listener, as `runService` starts it, on a free port. */
const metricsOf = ({ config, teardown, log }: ServiceContext, { metrics }: { metrics: ServiceMetrics }) =>
  serveMetrics(metrics, { host: config.metrics.host, port: 0 }, teardown, log);

/** A test stack's own stores, and the variables every service of it starts with. */
export interface TestStores extends Disposable {
  env: Env;
  redis: Awaited<ReturnType<typeof testRedis>>;
  s3: TestS3;
}

/**
 * Stores of its own for a test stack (a database, a key prefix, a Mongo
 * database and a bucket) and the services' variables: the stores, quick
 * outbox polls and event retries, the test secrets, then `extraEnv`.
 */
export async function startTestStores(extraEnv: Env = {}): Promise<TestStores> {
  const stores = await testStores();
  const env: Env = {
    // Migrations as the schema's owner, requests as the services' role, as in production.
    ...stores.env,
    OUTBOX_POLL_INTERVAL_MS: '50',
    EVENT_RETRY_AFTER_MS: '500',
    // Tokens verified at the gateway, subgraphs answering signed requests only (mint with testToken).
    ...TEST_AUTH_ENV,
    // Every request of a test file comes from one address: rate limits have their own test.
    GATEWAY_RATE_LIMIT: '100000',
    ...extraEnv,
  };
  return { env, redis: stores.redis, s3: stores.s3, dispose: stores.dispose };
}

/**
 * The whole stack in this process on random ports: real PostgreSQL and
 * Redis, MongoDB and S3 from MONGO_URL / S3_ENDPOINT or embedded, the
 * supergraph composed from the schema files with the ports it got.
 * `logs`: where every service writes its JSON log lines (default stdout).
 */
export async function startTestStack(
  extraEnv: Env = {},
  {
    logs,
    beforeServices,
  }: {
    logs?: DestinationStream;
    /** Runs on the new, empty stores before any service starts (a restore into them, say); `redis` as in `TestStores`. */
    beforeServices?: (env: Env, redis: TestStores['redis']) => Promise<void>;
  } = {},
): Promise<TestStack> {
  const contexts: { teardown: { close(): Promise<void> } }[] = [];
  let stores: TestStores | undefined;
  const dispose = async () => {
    for (const { teardown } of contexts.reverse()) await teardown.close();
    await stores?.dispose();
  };
  try {
    stores = await startTestStores(extraEnv);
    const { env, redis, s3 } = stores;
    await beforeServices?.({ ...env }, redis);
    const context = (extra: Env = {}) => {
      const created = testServiceContext({ ...env, ...extra }, logs);
      contexts.push(created);
      return created;
    };
    // Each service as its own Redis user, restricted as in production (`env` keeps the default user's URL).
    const redisAs = (service: RedisService) => ({ REDIS_URL: redis.serviceUrls[service] });
    const sqlContext = context(redisAs('sql'));
    const sql = await createSqlSubgraph(sqlContext);
    const sqlUrl = await sql.listen(0);
    // The other subgraphs check references with the owner of User, Product and Order.
    env.SQL_SUBGRAPH_URL = sqlUrl;
    const mongoContext = context(redisAs('mongo'));
    const mongoSubgraph = await createMongoSubgraph(mongoContext);
    const storageContext = context(redisAs('storage'));
    const storage = await createStorageSubgraph(storageContext);
    const urls = {
      sql: sqlUrl,
      mongo: await mongoSubgraph.listen(0),
      storage: await storage.listen(0),
    };
    const gatewayContext = context(redisAs('gateway'));
    const gateway = await createGateway({ ...gatewayContext, supergraph: composeSupergraph(urls) });
    const gatewayUrl = await gateway.listen(0);
    const metricsUrls = {
      gateway: await metricsOf(gatewayContext, gateway),
      sql: await metricsOf(sqlContext, sql),
      mongo: await metricsOf(mongoContext, mongoSubgraph),
      storage: await metricsOf(storageContext, storage),
    };
    return {
      gatewayUrl,
      subgraphUrls: urls,
      metricsUrls,
      redis: { url: redis.url, keyPrefix: redis.keyPrefix, serviceUrls: redis.serviceUrls },
      env: { ...env },
      sql,
      mongo: mongoSubgraph,
      storage,
      s3,
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/**
 * For a test file that subscribes: the stack it shares (started in beforeAll),
 * and the subscriptions its tests leave open, closed in afterAll before the
 * stack, while the gateway still runs (afterAll hooks run in the order declared).
 */
export function subscribedStackOfFile(extraEnv: Env = {}): { stack: TestStack; subscriptions: TestSubscription[] } {
  const subscriptions: TestSubscription[] = [];
  afterAll(async () => {
    for (const subscription of subscriptions.splice(0)) await subscription.dispose();
  });
  return { stack: startedOncePerFile(() => startTestStack(extraEnv)), subscriptions };
}
