import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import type { Config, Env, Logger } from '@polystore/common';
import { checkConsistency, UnusableSet } from '@polystore/operations';
import { consumerGroupCaughtUp, eventually } from '@polystore/testing';
import { testStores } from '@polystore/testing/stores';
import type { TestStack } from './stack.js';

/** Until every event of `stack` is on the stream and applied by every consumer group that writes a store. */
export async function settled(stack: TestStack): Promise<void> {
  const owner = new pg.Client({ connectionString: stack.env.DATABASE_OWNER_URL });
  const redis = new Redis(stack.redis.url);
  await owner.connect();
  try {
    await eventually(
      async () => {
        const { rows } = await owner.query('SELECT count(*)::integer AS n FROM outbox WHERE published_at IS NULL');
        const groups = ['mongo-subgraph', 'storage-subgraph'];
        const caughtUp = await Promise.all(groups.map((g) => consumerGroupCaughtUp(redis, stack.redis.keyPrefix, g)));
        return rows[0].n === 0 && caughtUp.every(Boolean);
      },
      'every event applied',
      30_000,
    );
  } finally {
    await owner.end();
    redis.disconnect();
  }
}

/**
 * Fresh stores, a restore into them (`attempt`, given their variables) refused
 * as `UnusableSet` with `message`, and nothing written to any of them: no
 * table, no collection, no object, no key.
 */
export async function refusedWithNothingWritten(attempt: (env: Env) => Promise<unknown>, message: RegExp) {
  const stores = await testStores();
  const { postgres, mongo, s3, redis } = stores;
  try {
    const restore = attempt(stores.env);
    await expect(restore).rejects.toThrow(UnusableSet);
    await expect(restore).rejects.toThrow(message);
    const owner = new pg.Client({ connectionString: postgres.ownerUrl });
    await owner.connect();
    const { rows } = await owner.query("SELECT count(*)::integer AS n FROM pg_tables WHERE schemaname = 'public'");
    await owner.end();
    const client = await MongoClient.connect(mongo.url);
    const collections = await client.db(mongo.database).listCollections().toArray();
    await client.close();
    const objects = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    const keys = new Redis(redis.url);
    const redisKeys = await keys.keys(`${redis.keyPrefix}*`);
    keys.disconnect();
    expect({ tables: rows[0].n, collections: collections.length, objects: objects.KeyCount, redisKeys }).toEqual({
      tables: 0,
      collections: 0,
      objects: 0,
      redisKeys: [],
    });
  } finally {
    await stores.dispose();
  }
}

/** The consistency checker over the stores of `config` finds nothing (each finding listed if it does). */
export async function expectConsistent(config: Config, log: Logger): Promise<void> {
  const report = await checkConsistency({ config, log, samples: 5 });
  expect(Object.entries(report.findings).filter(([, tally]) => tally.count > 0)).toEqual([]);
  expect(report.clean).toBe(true);
}
