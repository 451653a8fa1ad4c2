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
import { testServiceContext } from './service.js';
import { TEST_AUTH_ENV } from './tokens.js';
import { testMongo, testPostgres, testRedis, testS3, type Disposable, type TestS3 } from './stores/index.js';

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

/**
 * The whole stack in this process on random ports: real PostgreSQL and
 * Redis, MongoDB and S3 from MONGO_URL / S3_ENDPOINT or embedded, the
 * supergraph composed from the schema files with the ports it got.
 * `logs`: where every service writes its JSON log lines (default stdout).
 */
export async function startTestStack(
  extraEnv: Env = {},
  { logs }: { logs?: DestinationStream } = {},
): Promise<TestStack> {
  const fixtures: Disposable[] = [];
  const contexts: { teardown: { close(): Promise<void> } }[] = [];
  const dispose = async () => {
    for (const { teardown } of contexts.reverse()) await teardown.close();
    for (const fixture of fixtures.reverse()) await fixture.dispose();
  };
  try {
    const [postgres, redis, mongo, s3] = await Promise.all([testPostgres(), testRedis(), testMongo(), testS3()]);
    fixtures.push(postgres, redis, mongo, s3);
    const env: Env = {
      // Migrations as the schema's owner, requests as the services' role, as in production.
      ...postgres.env,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      MONGO_URL: mongo.url,
      MONGO_DATABASE: mongo.database,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      OUTBOX_POLL_INTERVAL_MS: '50',
      EVENT_RETRY_AFTER_MS: '500',
      // Tokens verified at the gateway, subgraphs answering signed requests only (mint with testToken).
      ...TEST_AUTH_ENV,
      // Every request of a test file comes from one address: rate limits have their own test.
      GATEWAY_RATE_LIMIT: '100000',
      ...extraEnv,
    };
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
