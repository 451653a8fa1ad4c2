import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { createLogger } from '@polystore/common';
import { startedOncePerFile } from '@polystore/testing';
import { testStores } from '@polystore/testing/stores';
import { takeBackup, type Manifest } from '../src/index.js';
import { startCheckedStack } from './support/checked-stack.js';
import { runCli } from './support/run-cli.js';

/**
 * `npm run restore` as an operator runs it: into empty stores (exit 0, Redis's
 * state back), refused over stores that hold data (exit 2, one line), over
 * them with --replace (what was there is gone, the set is), and a set from
 * a newer version refused. The drill (test/restore-drill.test.ts) covers a
 * set taken under load and the whole stack afterwards.
 */
const query = '{ products(first: 2) { totalCount } }';
const hash = createHash('sha256').update(query).digest('hex');

const stack = startedOncePerFile(async () => {
  const started = await startCheckedStack();
  const prefix = started.sql.keyPrefix;
  await started.redis.set(`${prefix}gateway:pq:${hash}`, query);
  await started.redis.xadd(`${prefix}events:dead`, '*', 'group', 'mongo-subgraph', 'reason', 'a test');
  const folder = await mkdtemp(join(tmpdir(), 'restore-test-'));
  const log = createLogger('restore-test', 'silent');
  const silent = { bar: () => ({ increment() {}, grow() {}, stop() {} }) };
  const set = await takeBackup({ config: started.config, log, out: join(folder, 'set'), progress: silent });
  const stores = await testStores();
  return {
    ...started,
    folder,
    set,
    target: stores.env,
    targetStores: stores,
    async dispose() {
      await stores.dispose();
      await rm(folder, { recursive: true, force: true });
      await started.dispose();
    },
  };
}, 180_000);

/** What the target stores hold: rows per table, documents per collection, object keys, Redis's state. */
async function holdings() {
  const { postgres, mongo, s3, redis } = stack.targetStores;
  const owner = new pg.Client({ connectionString: postgres.ownerUrl });
  await owner.connect();
  const rows: Record<string, number> = {};
  try {
    for (const { name } of stack.set.manifest.stores.postgres.tables) {
      if (name === 'schema_migrations') continue;
      rows[name] = (await owner.query(`SELECT count(*)::integer AS n FROM "${name}"`)).rows[0].n;
    }
  } finally {
    await owner.end();
  }
  const client = await MongoClient.connect(mongo.url);
  const documents: Record<string, number> = {};
  for (const { name } of await client.db(mongo.database).listCollections().toArray())
    documents[name] = await client.db(mongo.database).collection(name).countDocuments();
  await client.close();
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  const keys = (listed.Contents ?? []).map(({ Key }) => Key!).sort();
  const reader = new Redis(redis.url);
  const persisted = await reader.get(`${redis.keyPrefix}gateway:pq:${hash}`);
  const deadLetters = await reader.xlen(`${redis.keyPrefix}events:dead`);
  reader.disconnect();
  return { rows, documents, keys, persisted, deadLetters };
}

/** What the set says the stores held. */
async function expected(manifest: Manifest) {
  const rows = Object.fromEntries(
    manifest.stores.postgres.tables
      .filter(({ name }) => name !== 'schema_migrations')
      .map(({ name, rows: n }) => [name, n]),
  );
  const documents = Object.fromEntries(manifest.stores.mongodb.collections.map(({ name, documents: n }) => [name, n]));
  const index = await readFile(join(stack.set.dir, 's3/index.jsonl'), 'utf8');
  const keys = index
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { key: string }).key)
    .sort();
  return { rows, documents, keys, persisted: query, deadLetters: 1 };
}

describe('npm run restore', () => {
  it('restores a set into empty stores, Redis state included, and says what the services re-apply', async () => {
    const { code, stdout, stderr } = await runCli('restore-cli', [stack.set.dir], stack.target);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(
      /^restored the set of .* \(migration \w+\)\n {2}into empty stores\n {2}as PostgreSQL role \w+_owner, .*\n {2}\d+ events/,
    );
    expect(await holdings()).toEqual(await expected(stack.set.manifest));
  });

  it('refuses stores that hold data with exit code 2 and one line, and changes nothing', async () => {
    const before = await holdings();
    const { code, stderr } = await runCli('restore-cli', [stack.set.dir], stack.target);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^restore: the stores hold data \(PostgreSQL table .*\): .* --replace/),
    ]);
    expect(await holdings()).toEqual(before);
  });

  it('with --replace, puts the set in place of what the stores hold', async () => {
    const { postgres, mongo, s3 } = stack.targetStores;
    const owner = new pg.Client({ connectionString: postgres.ownerUrl });
    await owner.connect();
    await owner.query('ALTER TABLE users DISABLE TRIGGER USER');
    await owner.query("INSERT INTO users (email, name) VALUES ('stray@example.com', 'Stray')");
    await owner.query('ALTER TABLE users ENABLE TRIGGER USER');
    await owner.end();
    const client = await MongoClient.connect(mongo.url);
    await client.db(mongo.database).collection('strays').insertOne({ stray: true });
    await client.close();
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'stray/file.txt', Body: 'stray' }));
    const { code, stdout } = await runCli('restore-cli', [stack.set.dir, '--replace'], stack.target);
    expect(code).toBe(0);
    expect(stdout).toMatch(/replaced: .*PostgreSQL table users, .*MongoDB collection strays, S3 bucket .*Redis state/);
    expect(await holdings()).toEqual(await expected(stack.set.manifest));
  });

  it('refuses a set from a newer version before anything is written', async () => {
    const dir = join(stack.folder, 'newer');
    await cp(stack.set.dir, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    manifest.migrationLevel = { last: 'FutureMigration9999999999999', count: manifest.migrationLevel.count + 1 };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const { code, stderr } = await runCli('restore-cli', [dir, '--replace'], stack.target);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^restore: the set is at migration FutureMigration9999999999999 .* restore it with a newer version/,
    );
  });
});
