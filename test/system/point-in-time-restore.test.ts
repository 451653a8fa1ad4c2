import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createLogger, graphqlRequest, loadConfig, type Env } from '@polystore/common';
import { freePort, prepareEmbeddedRoles, startEmbeddedPostgres, type EmbeddedStore } from '@polystore/embedded';
import { pruneWalArchive, restoreBackup, takeBackup, type Manifest } from '@polystore/operations';
import { asAdmin, upsertTestCategory } from '@polystore/testing';
import { testStores, walArchived, walArchivingFailed } from '@polystore/testing/stores';
import { expectConsistent, refusedWithNothingWritten, settled } from '../support/restore.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { uploadThroughGateway } from '../support/uploads.js';

/**
 * Point-in-time recovery: the embedded PostgreSQL archiving its WAL, a backup
 * set with a base backup, writes of every kind after it, a moment chosen
 * between two phases of them, and a restore to that moment into fresh stores
 * (PostgreSQL 15 at 127.0.0.1, recovered through the embedded server): the
 * writes before the moment are there, MongoDB and S3 converge on them, the
 * writes after it are not, and the consistency checker finds nothing.
 */
const log = createLogger('point-in-time', 'silent');
const silent = { bar: () => ({ increment() {}, grow() {}, stop() {} }) };
const configOf = (env: Env) => loadConfig({ ...env, LOG_LEVEL: 'silent' });

let folder: string;
let walArchive: string;
let server: EmbeddedStore;
let superuserUrl: string;
let source: TestStack;
let restored: TestStack;
let set: { dir: string; manifest: Manifest };
let moment: Date;
const ids = { ada: '', kept: '', doomed: '', before: '', after: '', orderBefore: '', orderAfter: '' };
let doomedPage: unknown;

async function gql(stack: TestStack, query: string, variables: Record<string, unknown> = {}) {
  const result = await graphqlRequest(stack.gatewayUrl, query, variables, { headers: asAdmin() });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

const createProduct = async (stack: TestStack, sku: string) =>
  (
    await gql(stack, 'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: { sku, name: `Product ${sku}`, price: { amount: 990, currency: 'EUR' }, stock: 40 },
    })
  ).createProduct.id as string;

const placeOrder = async (stack: TestStack, productId: string, quantity: number) =>
  (
    await gql(stack, 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
      input: { userId: ids.ada, items: [{ productId, quantity }] },
    })
  ).placeOrder.id as string;

const PAGE = `query ($id: ID!) {
  product(id: $id) {
    id sku stock salesCount details { description category } rating { average count }
    reviews(first: 10) { totalCount edges { node { rating author { name } } } }
    images { filename contentType size }
  }
}`;

async function seed(stack: TestStack) {
  await upsertTestCategory(stack.gatewayUrl, 'pitr');
  const { createUser } = await gql(stack, 'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }', {
    input: { email: `ada-${Date.now()}@example.com`, name: 'Ada' },
  });
  ids.ada = createUser.id;
  ids.kept = await createProduct(stack, `PITR-KEPT-${Date.now()}`);
  ids.doomed = await createProduct(stack, `PITR-DOOMED-${Date.now()}`);
  await gql(stack, 'mutation ($input: UpsertProductDetailsInput!) { upsertProductDetails(input: $input) { id } }', {
    input: { productId: ids.doomed, description: 'A lamp', category: 'pitr', tags: [] },
  });
  await gql(stack, 'mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }', {
    input: { productId: ids.doomed, userId: ids.ada, rating: 4, title: 'Bright', body: 'As described.' },
  });
  await uploadThroughGateway((query, variables) => gql(stack, query, variables), {
    ownerType: 'PRODUCT',
    ownerId: ids.doomed,
    filename: 'lamp.png',
    contentType: 'image/png',
  });
  await placeOrder(stack, ids.kept, 1);
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'point-in-time-'));
  // As root the server runs as the postgres account, which must get through to its folders.
  await chmod(folder, 0o755);
  walArchive = join(folder, 'wal-archive');
  server = await startEmbeddedPostgres({
    dataDir: join(folder, 'postgres'),
    port: await freePort(),
    walArchiveDir: walArchive,
  });
  superuserUrl = server.url;
  source = await startTestStack(await prepareEmbeddedRoles(server.url));
  await seed(source);
  await settled(source);
  set = await takeBackup({ config: configOf(source.env), log, out: join(folder, 'set'), progress: silent });

  // Before the moment: a product created and an order placed, after the set.
  ids.before = await createProduct(source, `PITR-BEFORE-${Date.now()}`);
  ids.orderBefore = await placeOrder(source, ids.kept, 2);
  await settled(source);
  doomedPage = await gql(source, PAGE, { id: ids.doomed });
  await sleep(1_100);
  moment = new Date();
  await sleep(1_100);
  // After it: a product created, one deleted with its details, review and image, an order.
  ids.after = await createProduct(source, `PITR-AFTER-${Date.now()}`);
  await gql(source, 'mutation ($id: ID!) { deleteProduct(input: { id: $id }) { __typename } }', { id: ids.doomed });
  ids.orderAfter = await placeOrder(source, ids.kept, 3);
  await settled(source);
  await walArchived(superuserUrl);

  restored = await startTestStack(
    {},
    {
      beforeServices: async (env) => {
        await restoreBackup({
          config: configOf(env),
          log,
          from: set.dir,
          pointInTime: { toTime: moment, walArchiveDir: walArchive },
          progress: silent,
        });
      },
    },
  );
  await settled(restored);
}, 240_000);

afterAll(async () => {
  await restored?.dispose();
  await source?.dispose();
  await server?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('a restore to a moment after the set', () => {
  it('started from the set’s base backup, taken after its snapshot', () => {
    const base = set.manifest.stores.postgres.base;
    expect(base && 'files' in base ? base.files.length : base).toBeGreaterThan(100);
    expect(base && 'consistentAt' in base && Date.parse(base.consistentAt)).toBeLessThan(moment.getTime());
    // The cluster's own folder under the archive's root: another cluster's segment names would collide.
    const systemIdentifier = base && 'systemIdentifier' in base ? base.systemIdentifier : '';
    expect(base).toMatchObject({ walArchive: join(walArchive, systemIdentifier), database: 'postgres' });
  });

  it('holds what was written before the moment and nothing written after it', async () => {
    const exists = async (id: string) =>
      (await gql(restored, 'query ($id: ID!) { product(id: $id) { id } }', { id })).product !== null;
    expect({ before: await exists(ids.before), after: await exists(ids.after) }).toEqual({
      before: true,
      after: false,
    });
    const { product } = await gql(restored, 'query ($id: ID!) { product(id: $id) { stock salesCount } }', {
      id: ids.kept,
    });
    expect(product).toEqual({ stock: 40 - 1 - 2, salesCount: 3 });
    const { user } = await gql(
      restored,
      'query ($id: ID!) { user(id: $id) { orders(first: 10) { edges { node { id } } } } }',
      {
        id: ids.ada,
      },
    );
    const orders = user.orders.edges.map(({ node }: { node: { id: string } }) => node.id);
    expect(orders).toContain(ids.orderBefore);
    expect(orders).not.toContain(ids.orderAfter);
  });

  it('brings back a product deleted after the moment, whole: details, review and image', async () => {
    expect(await gql(restored, PAGE, { id: ids.doomed })).toEqual(doomedPage);
  });

  it('leaves stores the consistency checker finds whole', async () => {
    await expectConsistent(configOf(restored.env), log);
  });
});

describe('a moment the set cannot reach', () => {
  const attempt =
    (toTime: Date, dir = set.dir) =>
    (env: Env) =>
      restoreBackup({
        config: configOf(env),
        log,
        from: dir,
        pointInTime: { toTime, walArchiveDir: walArchive },
        progress: silent,
      });

  it('before the base backup ends: refused, nothing written', async () => {
    await refusedWithNothingWritten(
      attempt(new Date(Date.parse(set.manifest.startedAt) - 60_000)),
      /base backup ends at/,
    );
  }, 60_000);

  it('after the archive ends: refused with PostgreSQL’s reason, nothing written', async () => {
    await refusedWithNothingWritten(attempt(new Date(Date.now() + 3_600_000)), /could not recover to .*recovery/i);
  }, 120_000);

  it('a set without a base backup: refused, nothing written', async () => {
    const plain = await takeBackup({
      config: configOf(restored.env),
      log,
      out: join(folder, 'plain'),
      progress: silent,
    });
    expect(plain.manifest.stores.postgres.base).toEqual({ skipped: expect.stringMatching(/does not archive its WAL/) });
    await refusedWithNothingWritten(attempt(new Date(), plain.dir), /holds no base backup/);
  }, 60_000);

  it('a base backup whose manifest names a folder outside its own: refused, nothing written', async () => {
    const forged = join(folder, 'forged');
    await cp(set.dir, forged, { recursive: true });
    const manifest = JSON.parse(await readFile(join(forged, 'manifest.json'), 'utf8')) as Manifest;
    const base = manifest.stores.postgres.base as { directories: string[] };
    base.directories.push('../../escaped');
    await writeFile(join(forged, 'manifest.json'), JSON.stringify(manifest));
    await refusedWithNothingWritten(attempt(moment, forged), /names \.\.\/\.\.\/escaped, outside its folder/);
  }, 60_000);
});

describe('the archive pruned for the set', () => {
  it('loses the segments before its base backup, and still restores the set to the moment', async () => {
    expect(await pruneWalArchive(walArchive, [set.dir])).toBeGreaterThan(0);
    const stores = await testStores();
    try {
      const config = configOf(stores.env);
      await restoreBackup({ config, log, from: set.dir, pointInTime: { toTime: moment }, progress: silent });
      const owner = new pg.Client({ connectionString: stores.postgres.ownerUrl });
      await owner.connect();
      const { rows } = await owner.query<{ id: string }>('SELECT id FROM products WHERE id = ANY ($1::uuid[])', [
        [ids.before, ids.after],
      ]);
      await owner.end();
      expect(rows.map(({ id }) => id)).toEqual([ids.before]);
    } finally {
      await stores.dispose();
    }
  }, 120_000);
});

describe('a moment when the outbox no longer held the set’s replay window', () => {
  it('is refused before anything is written', async () => {
    // A set whose window starts at the outbox's first row, as one taken while a consumer group lagged
    // behind would: its manifest says so (the manifest is not among the checksummed files).
    const lagging = join(folder, 'lagging');
    await cp(set.dir, lagging, { recursive: true });
    const manifest = JSON.parse(await readFile(join(lagging, 'manifest.json'), 'utf8')) as Manifest;
    const { toOutboxId } = manifest.positions.replay;
    manifest.positions.replay = { fromOutboxId: '1', toOutboxId, events: Number(toOutboxId) };
    await writeFile(join(lagging, 'manifest.json'), JSON.stringify(manifest));
    // What the relay's pruning does to published rows after OUTBOX_RETENTION_DAYS, done now.
    const admin = new pg.Client({ connectionString: superuserUrl });
    await admin.connect();
    await admin.query('DELETE FROM outbox WHERE id <= $1::bigint', [toOutboxId]);
    await admin.end();
    await sleep(1_100);
    const pruned = new Date();
    await sleep(1_100);
    await createProduct(source, `PITR-LATER-${Date.now()}`);
    await walArchived(superuserUrl);
    await refusedWithNothingWritten(
      (env) =>
        restoreBackup({ config: configOf(env), log, from: lagging, pointInTime: { toTime: pruned }, progress: silent }),
      /no longer holds the set's replay window \(0 of \d+ events\)/,
    );
  }, 120_000);
});

describe('a backup while WAL archiving fails', () => {
  it('lands without a base backup, saying why, instead of waiting for the archive', async () => {
    // The cluster's folder made unwritable: basic_archive fails on the next segment.
    const base = set.manifest.stores.postgres.base;
    const cluster = base && 'walArchive' in base ? base.walArchive! : '';
    await chmod(cluster, 0o500);
    try {
      await createProduct(source, `PITR-UNARCHIVED-${Date.now()}`);
      await walArchivingFailed(superuserUrl);
      const taken = await takeBackup({
        config: configOf(source.env),
        log,
        out: join(folder, 'unarchived'),
        progress: silent,
      });
      expect(taken.manifest.stores.postgres.base).toEqual({
        skipped: expect.stringMatching(/WAL archiving is failing/),
      });
    } finally {
      await chmod(cluster, 0o700);
    }
  }, 120_000);
});
