import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { MongoClient, BSON } from 'mongodb';
import { createLogger } from '@polystore/common';
import { PLACE_ORDER } from '@polystore/sql-subgraph/testing';
import { putProductImage } from '@polystore/storage-subgraph/seed';
import { eventually, sampleFile, startedOncePerFile } from '@polystore/testing';
import { takeBackup, type Manifest } from '../src/index.js';
import { bsonDocuments, modesUnder, objectsIndex, readManifest, sha256, tableRows } from './support/backup-set.js';
import { startCheckedStack } from './support/checked-stack.js';
import { runCli } from './support/run-cli.js';

/**
 * `npm run backup` against the real stores of a seeded stack: the manifest's
 * counts match the stores, every file its checksum, the `.bson` files decode
 * to the collections' documents, the objects are byte-identical, nothing is
 * readable by others; a set taken while orders, product creations, deletes
 * and uploads run has a PostgreSQL snapshot whose references all resolve;
 * and the CLI's exit codes.
 */
const stack = startedOncePerFile(async () => {
  const started = await startCheckedStack();
  const mongo = new MongoClient(started.storeEnv.MONGO_URL!);
  const folder = await mkdtemp(join(tmpdir(), 'backup-test-'));
  // Redis's state: one registered operation, one dead letter.
  const query = '{ products(first: 1) { totalCount } }';
  const hash = createHash('sha256').update(query).digest('hex');
  await started.redis.set(`${started.sql.keyPrefix}gateway:pq:${hash}`, query);
  await started.redis.xadd(`${started.sql.keyPrefix}events:dead`, '*', 'group', 'test', 'reason', 'a test');
  return {
    ...started,
    mongo: mongo.db(started.storeEnv.MONGO_DATABASE),
    folder,
    persisted: { hash, query },
    async dispose() {
      await mongo.close();
      await rm(folder, { recursive: true, force: true });
      await started.dispose();
    },
  };
}, 120_000);
const log = createLogger('backup-test', 'silent');
const silent = { bar: () => ({ increment() {}, grow() {}, stop() {} }) };
let sets = 0;
const backUp = () =>
  takeBackup({ config: stack.config, log, out: join(stack.folder, `set-${sets++}`), progress: silent });

describe('a backup of a quiet stack', () => {
  let dir: string;
  let manifest: Manifest;
  beforeAll(async () => {
    ({ dir, manifest } = await backUp());
  });

  it('has a manifest with the product, the migration level and both event positions', async () => {
    expect(await readManifest(dir)).toEqual(manifest);
    expect(manifest.product).toEqual({ name: 'polystore', version: expect.any(String) });
    const [migrations] = await stack.sql.sql<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id DESC');
    expect(manifest.migrationLevel.last).toBe(migrations!.name);
    const [{ highest }] = (await stack.sql.sql<{ highest: string }>('SELECT max(id)::text AS highest FROM outbox')) as [
      { highest: string },
    ];
    // Every event applied: nothing to re-apply, and both positions at the outbox's end.
    expect(manifest.positions.start.outbox.highestId).toBe(highest);
    expect(manifest.positions.replay).toEqual({
      fromOutboxId: String(BigInt(highest) + 1n),
      toOutboxId: highest,
      events: 0,
    });
    expect(Object.keys(manifest.positions.start.groups!).sort()).toEqual(['mongo-subgraph', 'storage-subgraph']);
  });

  it('counts what each store holds', async () => {
    const { postgres, mongodb, s3, redis } = manifest.stores;
    expect(postgres.tables.map(({ name }) => name)).toEqual(
      expect.arrayContaining(['users', 'products', 'orders', 'order_items', 'order_history', 'outbox']),
    );
    const position = (name: string) => postgres.tables.findIndex((table) => table.name === name);
    expect(position('order_items')).toBeGreaterThan(Math.max(position('orders'), position('products')));
    expect(position('orders')).toBeGreaterThan(position('users'));
    for (const table of postgres.tables) {
      const [row] = await stack.sql.sql<{ count: number }>(`SELECT count(*)::integer AS count FROM "${table.name}"`);
      expect({ table: table.name, rows: table.rows }).toEqual({ table: table.name, rows: row!.count });
    }
    for (const { name, documents } of mongodb.collections) {
      expect({ name, documents }).toEqual({ name, documents: await stack.mongo.collection(name).countDocuments() });
    }
    const listed = await stack.s3.client.send(new ListObjectsV2Command({ Bucket: stack.s3.bucket }));
    expect(s3.objects).toBe(listed.KeyCount);
    expect(redis).toMatchObject({ persistedQueries: 1, deadLetters: 1 });
  });

  it('holds each file with the checksum and size the manifest gives', async () => {
    const { postgres, mongodb, s3, redis } = manifest.stores;
    const files = [...postgres.files, ...mongodb.files, ...s3.files, ...('files' in redis ? redis.files : [])];
    for (const file of files) {
      const bytes = await readFile(join(dir, file.path));
      expect({ path: file.path, bytes: bytes.length, sha256: sha256(bytes) }).toEqual(file);
    }
    const persisted = await readFile(join(dir, 'redis/persisted-queries.jsonl'), 'utf8');
    expect(JSON.parse(persisted)).toEqual({ ...stack.persisted, ttlMs: null });
  });

  it('writes each collection as mongodump does: documents that decode to the same, and its indexes', async () => {
    const sorted = (documents: BSON.Document[]) =>
      documents.map((document) => BSON.EJSON.stringify(document, { relaxed: false })).sort();
    for (const { name } of manifest.stores.mongodb.collections) {
      const documents = bsonDocuments(await readFile(join(dir, `mongodb/${name}.bson`)));
      expect(sorted(documents)).toEqual(sorted(await stack.mongo.collection(name).find().toArray()));
      const metadata = BSON.EJSON.parse(await readFile(join(dir, `mongodb/${name}.metadata.json`), 'utf8'));
      expect(metadata).toMatchObject({ collectionName: name, indexes: expect.any(Array) });
    }
    expect(manifest.stores.mongodb.collections.find(({ name }) => name === 'reviews')?.documents).toBe(2);
  });

  it('copies every object byte for byte, with its content type and checksum', async () => {
    const entries = await objectsIndex(dir);
    expect(entries).toHaveLength(manifest.stores.s3.objects);
    for (const entry of entries) {
      const object = await stack.s3.client.send(new GetObjectCommand({ Bucket: stack.s3.bucket, Key: entry.key }));
      const original = Buffer.from(await object.Body!.transformToByteArray());
      const copy = await readFile(join(dir, entry.file));
      expect(copy.equals(original)).toBe(true);
      expect(entry).toMatchObject({ size: copy.length, sha256: sha256(copy), contentType: object.ContentType });
    }
  });

  it('is readable by its owner only: folders 0700, files 0600', async () => {
    for (const { path, folder, mode } of await modesUnder(dir)) {
      expect({ path, mode: mode.toString(8) }).toEqual({ path, mode: folder ? '700' : '600' });
    }
  });
});

/** Writes of every kind that crosses the stores, round after round, until told to stop (at most 40 rounds); `writes` counts them. */
async function writeLoad(worker: number, load: { stop: boolean; writes: number }) {
  const { sql } = stack;
  const writer = { s3: stack.storage.s3, cache: stack.storage.cache };
  const image = { filename: 'front.png', contentType: 'image/png', body: sampleFile('image/png') };
  const write = async <T>(done: Promise<T>) => {
    const result = await done;
    load.writes++;
    return result;
  };
  const create = async (sku: string) => {
    const created = await sql.gql('mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: { sku, name: 'Load', price: { amount: 100, currency: 'USD' }, stock: 5 },
    });
    return created.data!.createProduct.id as string;
  };
  for (let round = 0; round < 40 && !load.stop; round++) {
    const kept = await write(create(`LOAD-${worker}-${round}-kept`));
    await write(putProductImage(writer, kept, image));
    const items = [{ productId: kept, quantity: 1 }];
    await write(sql.gql(PLACE_ORDER, { input: { userId: stack.seeded.userId, items } }));
    const gone = await write(create(`LOAD-${worker}-${round}-gone`));
    await write(putProductImage(writer, gone, image));
    await write(sql.gql('mutation ($id: ID!) { deleteProduct(input: { id: $id }) { __typename } }', { id: gone }));
  }
}

describe('a backup taken while writes run', () => {
  it('completes, and its PostgreSQL snapshot is whole: every reference in it resolves in it', async () => {
    const load = { stop: false, writes: 0 };
    const workers = [1, 2, 3].map((worker) => writeLoad(worker, load));
    await eventually(async () => load.writes >= 3, 'the load running');
    const writesBefore = load.writes;
    const { dir, manifest } = await backUp();
    const writesDuring = load.writes - writesBefore;
    load.stop = true;
    await Promise.all(workers);
    expect(writesDuring).toBeGreaterThan(0);

    const ids = async (table: string) => new Set((await tableRows(dir, manifest, table)).map((row) => row.id));
    const [users, products, orders] = [await ids('users'), await ids('products'), await ids('orders')];
    const items = await tableRows(dir, manifest, 'order_items');
    expect(items.length).toBe(manifest.stores.postgres.tables.find(({ name }) => name === 'order_items')!.rows);
    expect(items.filter((item) => !orders.has(item.order_id!) || !products.has(item.product_id!))).toEqual([]);
    const orderRows = await tableRows(dir, manifest, 'orders');
    expect(orderRows.filter((order) => !users.has(order.user_id!))).toEqual([]);
    expect(orderRows.length).toBeGreaterThan(1); // the seeded order and the load's

    // The events to re-apply are the snapshot's outbox rows from the start position on.
    const { fromOutboxId, toOutboxId, events } = manifest.positions.replay;
    const outbox = await tableRows(dir, manifest, 'outbox');
    const replayed = outbox.filter((row) => BigInt(row.id!) >= BigInt(fromOutboxId));
    expect(replayed).toHaveLength(events);
    expect(toOutboxId).toBe(
      outbox
        .map((row) => BigInt(row.id!))
        .reduce((a, b) => (a > b ? a : b))
        .toString(),
    );
    await stack.settled();
  });
});

describe('npm run backup', () => {
  it('exits 0, prints the set and its counts, and with --keep removes the older sets under BACKUP_DIR', async () => {
    const parent = join(stack.folder, 'sets');
    const older = join(parent, '2026-01-01T03-15-00-000Z');
    await mkdir(older, { recursive: true });
    await writeFile(join(older, 'manifest.json'), '{}');
    const env = { ...stack.storeEnv, BACKUP_DIR: parent };
    const { code, stdout } = await runCli('backup-cli', ['--keep', '1'], env);
    expect(code).toBe(0);
    const [name] = await readdir(parent);
    expect(name).toMatch(/^\d{4}-\d{2}-\d{2}T[\d-]+Z$/);
    const out = join(parent, name!);
    expect(stdout).toContain(`backup set: ${out}`);
    expect(stdout).toMatch(/redis +1 persisted queries, 1 dead letters/);
    expect(stdout).toContain('removed 2026-01-01T03-15-00-000Z');
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  });

  it('exits 2 with one line when a store cannot be reached, and writes nothing', async () => {
    const out = join(stack.folder, 'unreachable');
    const closed = 'postgres://nobody@127.0.0.1:1/none';
    const env = { ...stack.storeEnv, DATABASE_URL: closed, DATABASE_OWNER_URL: closed };
    const { code, stderr } = await runCli('backup-cli', ['--out', out], env);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^backup: PostgreSQL cannot be reached: /)]);
    expect(existsSync(out)).toBe(false);
  });
});
