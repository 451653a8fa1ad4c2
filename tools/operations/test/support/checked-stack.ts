import { Redis } from 'ioredis';
import { graphqlRequest, loadConfig, type Config, type Env } from '@polystore/common';
import { createMongoSubgraph, type MongoSubgraph } from '@polystore/mongo-subgraph';
import { PLACE_ORDER, seedCatalog, startSqlTestBed, type SqlTestBed } from '@polystore/sql-subgraph/testing';
import { createStorageSubgraph, type StorageSubgraph } from '@polystore/storage-subgraph';
import { putProductImage } from '@polystore/storage-subgraph/seed';
import {
  consumerGroupCaughtUp,
  eventually,
  sampleFile,
  startForTest,
  startWithFixtures,
  upsertTestCategory,
} from '@polystore/testing';
import { testMongo, testS3, type TestS3 } from '@polystore/testing/stores';

/** The three subgraphs on stores of their own (no gateway: the checker reads the stores), seeded with one of everything. */
export interface CheckedStack {
  sql: SqlTestBed;
  mongo: MongoSubgraph;
  storage: StorageSubgraph;
  s3: TestS3;
  /** The default Redis user, for the event stream. */
  redis: Redis;
  /** The variables that reach the four stores: what the checker and its CLI are given. */
  storeEnv: Env;
  config: Config;
  seeded: { userId: string; productIds: string[]; orderId: string; reviewIds: string[] };
  /** Until every event is on the stream and applied by both consumer groups. */
  settled(): Promise<void>;
}

const gql = async (url: string, query: string, variables: Record<string, unknown>) => {
  const result = await graphqlRequest(url, query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
};

/** A client's upload through the storage-subgraph: request it, PUT the bytes, and complete it unless `pending`. */
async function upload(
  url: string,
  ownerType: string,
  ownerId: string,
  filename: string,
  type: string,
  pending = false,
) {
  const body = sampleFile(type, filename);
  const { requestUpload } = await gql(
    url,
    `mutation ($input: RequestUploadInput!) { requestUpload(input: $input) { assetId url } }`,
    { input: { ownerType, ownerId, filename, contentType: type, size: body.length } },
  );
  const put = await fetch(requestUpload.url, { method: 'PUT', headers: { 'content-type': type }, body });
  if (!put.ok) throw new Error(`PUT ${put.status}`);
  if (pending) return;
  const completion = 'mutation ($input: CompleteUploadInput!) { completeUpload(input: $input) { id } }';
  await gql(url, completion, { input: { assetId: requestUpload.assetId } });
}

/**
 * Three products (the first ordered, with details, a review, an image; the
 * second reviewed, with an image and an upload still pending; the third
 * bare), a user with an avatar and an order with an attachment, all written
 * through the services.
 */
async function seed(stack: Omit<CheckedStack, 'seeded' | 'settled' | 'config' | 'storeEnv'>, urls: string[]) {
  const [mongoUrl, storageUrl] = urls as [string, string];
  const { userId, productIds } = await seedCatalog(stack.sql, [{ stock: 10 }, { stock: 10 }, { stock: 10 }]);
  const [first, second] = productIds as [string, string];
  const order = await stack.sql.gql(PLACE_ORDER, { input: { userId, items: [{ productId: first, quantity: 1 }] } });
  const orderId = order.data!.placeOrder.id as string;
  await upsertTestCategory(mongoUrl, 'gadgets');
  await gql(mongoUrl, 'mutation ($input: UpsertProductDetailsInput!) { upsertProductDetails(input: $input) { id } }', {
    input: { productId: first, description: 'A gadget', category: 'gadgets', tags: ['new'] },
  });
  const reviewIds: string[] = [];
  for (const productId of [first, second]) {
    const { addReview } = await gql(
      mongoUrl,
      'mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }',
      {
        input: { productId, userId, rating: 4, title: 'Good', body: 'Works.' },
      },
    );
    reviewIds.push(addReview.id);
  }
  const writer = { s3: stack.storage.s3, cache: stack.storage.cache };
  for (const productId of [first, second]) {
    await putProductImage(writer, productId, {
      filename: 'front.png',
      contentType: 'image/png',
      body: sampleFile('image/png'),
    });
  }
  await upload(storageUrl, 'USER', userId, 'me.png', 'image/png');
  await upload(storageUrl, 'ORDER', orderId, 'invoice.pdf', 'application/pdf');
  await upload(storageUrl, 'PRODUCT', second, 'back.png', 'image/png', true);
  return { userId, productIds, orderId, reviewIds };
}

export function startCheckedStack(): Promise<CheckedStack & { dispose(): Promise<void> }> {
  return startWithFixtures(async (own) => {
    const sql = own(await startSqlTestBed({ EVENT_RETRY_AFTER_MS: '500' }));
    const [mongoStore, s3] = [own(await testMongo()), own(await testS3())];
    const storeEnv: Env = {
      DATABASE_URL: sql.databaseUrl,
      DATABASE_OWNER_URL: sql.databaseEnv.DATABASE_OWNER_URL!,
      MONGO_URL: mongoStore.url,
      MONGO_DATABASE: mongoStore.database,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      REDIS_URL: sql.redisUrl,
      REDIS_KEY_PREFIX: sql.keyPrefix,
    };
    // No sweep during the test: the leftovers it would remove are what the checker must see.
    const services = {
      ...storeEnv,
      SQL_SUBGRAPH_URL: sql.url,
      EVENT_RETRY_AFTER_MS: '500',
      UPLOAD_SWEEP_INTERVAL_SECONDS: '3600',
    };
    const mongo = own(await startForTest(createMongoSubgraph, { ...services, REDIS_URL: sql.redisServiceUrls.mongo }));
    const storage = own(
      await startForTest(createStorageSubgraph, { ...services, REDIS_URL: sql.redisServiceUrls.storage }),
    );
    await mongo.server.searchCatchUp;
    const redis = new Redis(sql.redisUrl);
    own({ dispose: async () => void (await redis.quit()) });
    const started = { sql, mongo: mongo.server, storage: storage.server, s3, redis };
    const settled = () =>
      eventually(async () => {
        const [outbox] = await sql.sql<{ count: number }>(
          'SELECT count(*)::integer AS count FROM outbox WHERE published_at IS NULL',
        );
        const groups = ['mongo-subgraph', 'storage-subgraph'];
        const caughtUp = await Promise.all(groups.map((group) => consumerGroupCaughtUp(redis, sql.keyPrefix, group)));
        return outbox!.count === 0 && caughtUp.every(Boolean);
      }, 'every event applied');
    const seeded = await seed(started, [mongo.url, storage.url]);
    await settled();
    return { ...started, storeEnv, config: loadConfig({ LOG_LEVEL: 'silent', ...storeEnv }), seeded, settled };
  });
}
