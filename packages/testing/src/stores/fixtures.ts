import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { testRedis, uniqueName, type Disposable } from '@polystore/common/testing';
import {
  createPostgresRoles,
  dropPostgresRoles,
  EMBEDDED_S3_CREDENTIALS,
  freePort,
  postgresRoleEnv,
  postgresRoles,
  startEmbeddedMongo,
  startEmbeddedS3,
} from '@polystore/embedded';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Store fixtures for tests. Each returns its connection settings and a
 * `dispose` that removes what it created, so every test file works on its own
 * database, key prefix and bucket and leaves nothing behind.
 * PostgreSQL and Redis are the real servers on 127.0.0.1; MongoDB and S3 are
 * `MONGO_URL` / `S3_ENDPOINT` when set, else embedded servers.
 *
 * The Redis fixture, `uniqueName` and `Disposable` live with the foundation
 * (`@polystore/common/testing`), whose own tests use them; they are re-exported here.
 */
export { testRedis, uniqueName, type Disposable } from '@polystore/common/testing';

const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A database of its own, owned by roles of its own (`<database>_owner`,
 * `_service`, `_reader`: roles are server-wide, so the names follow the
 * database and files running in parallel never share one). `url` connects as
 * the administrator; `env` starts the sql-subgraph as production runs it
 * (migrations as the owner, requests as the services' role); `ownerUrl` is a
 * console session of the schema's owner.
 */
export async function testPostgres(): Promise<
  Disposable & { url: string; database: string; env: Record<string, string>; ownerUrl: string }
> {
  const database = uniqueName('polystore_test');
  const roles = postgresRoles(database);
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await createPostgresRoles(admin, roles);
    await admin.query(`CREATE DATABASE ${database} OWNER ${roles.owner}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;
  const env = postgresRoleEnv(url.toString(), roles);
  return {
    url: url.toString(),
    database,
    env,
    ownerUrl: env.DATABASE_OWNER_URL!,
    async dispose() {
      const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await dropPostgresRoles(client, roles);
      } finally {
        await client.end();
      }
    },
  };
}

export async function testMongo(): Promise<Disposable & { url: string; database: string }> {
  const database = uniqueName('polystore_test');
  if (process.env.MONGO_URL) {
    const url = process.env.MONGO_URL;
    return {
      url,
      database,
      async dispose() {
        const client = await MongoClient.connect(url);
        await client.db(database).dropDatabase();
        await client.close();
      },
    };
  }
  const server = await startEmbeddedMongo({ port: await freePort() });
  return { url: server.url, database, dispose: () => server.stop() };
}

export interface TestS3 extends Disposable {
  endpoint: string;
  bucket: string;
  client: S3Client;
}

export async function testS3(): Promise<TestS3> {
  const bucket = uniqueName('polystore-test').replaceAll('_', '-').toLowerCase();
  let stopServer: (() => Promise<void>) | undefined;
  let endpoint = process.env.S3_ENDPOINT;
  let dataDir: string | undefined;
  let region = process.env.S3_REGION ?? 'us-east-1';
  let credentials = {
    accessKeyId: process.env.S3_ACCESS_KEY_ID ?? 'S3RVER',
    secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? 'S3RVER',
  };
  if (!endpoint) {
    dataDir = await mkdtemp(join(tmpdir(), 'polystore-s3-'));
    // It checks signatures like a real S3, with the key pair and region the services' config defaults to.
    region = 'us-east-1';
    credentials = EMBEDDED_S3_CREDENTIALS;
    const server = await startEmbeddedS3({ dataDir, port: await freePort(), credentials, region });
    endpoint = server.url;
    stopServer = server.stop;
  }
  const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    client,
    async dispose() {
      for (let round = 0; round < 1_000; round++) {
        const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
        const keys = (listed.Contents ?? []).map((object) => ({ Key: object.Key! }));
        if (keys.length === 0) break;
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      }
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      client.destroy();
      await stopServer?.();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** All four stores, fresh, and the variables that reach them (PostgreSQL as production: owner and services' roles). */
export async function testStores() {
  const [postgres, redis, mongo, s3] = await Promise.all([testPostgres(), testRedis(), testMongo(), testS3()]);
  return {
    postgres,
    redis,
    mongo,
    s3,
    env: {
      ...postgres.env,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      MONGO_URL: mongo.url,
      MONGO_DATABASE: mongo.database,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
    } as Record<string, string>,
    async dispose() {
      for (const store of [postgres, redis, mongo, s3]) await store.dispose();
    },
  };
}
