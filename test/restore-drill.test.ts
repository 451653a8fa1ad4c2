import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createLogger, graphqlRequest, loadConfig, type Env } from '@polystore/common';
import { restoreBackup, SetReader, StoresNotEmpty, takeBackup, type Manifest } from '@polystore/operations';
import { asAdmin, eventually, upsertTestCategory } from '@polystore/testing';
import { expectConsistent, refusedWithNothingWritten, settled } from './support/restore.js';
import { uploadThroughGateway } from './support/uploads.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The restore drill: a seeded stack under a write load of every kind that
 * crosses the stores, an encrypted backup taken during it, a restore into
 * fresh stores, then the restored stack compared with the set and the
 * original: PostgreSQL row for row, the other stores by count and checksum,
 * the consistency checker clean once the replay window is applied, stock,
 * sales and a federated product page identical through the gateway. And a
 * damaged, partial or wrongly keyed set refused with nothing written.
 */
const PASSPHRASE = 'a drill passphrase of more than thirty-two characters';
const log = createLogger('restore-drill', 'silent');
const silent = { bar: () => ({ increment() {}, grow() {}, stop() {} }) };
const configOf = (env: Env, extra: Env = {}) =>
  loadConfig({ ...env, LOG_LEVEL: 'silent', BACKUP_ENCRYPTION_KEY: PASSPHRASE, ...extra });

let folder: string;
let source: TestStack;
let restored: TestStack;
let set: { dir: string; manifest: Manifest };
/** A backup of the restored stores taken before any service started: what the restore wrote. */
let copyOfRestored: Manifest;
const seeded = { users: [] as string[], products: [] as string[], orders: [] as string[] };
const load = { stop: false, writes: 0 };
/** Event types the set's replay window holds, and those the drill needs in it. */
let replayed = new Set<string>();
const WINDOW_EVENTS = ['ProductCreated', 'ProductDeleted'];

async function gql(stack: TestStack, query: string, variables: Record<string, unknown> = {}) {
  const result = await graphqlRequest(stack.gatewayUrl, query, variables, { headers: asAdmin() });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  if (query.startsWith('mutation') && !load.stop) load.writes++;
  return result.data!;
}

const createProduct = async (stack: TestStack, sku: string) =>
  (
    await gql(stack, 'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: { sku, name: `Product ${sku}`, price: { amount: 1250, currency: 'EUR' }, stock: 50 },
    })
  ).createProduct.id as string;

const addReview = async (stack: TestStack, productId: string, userId: string, rating: number) =>
  (
    await gql(stack, 'mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }', {
      input: { productId, userId, rating, title: 'Verdict', body: 'As described.' },
    })
  ).addReview.id as string;

const placeOrder = async (stack: TestStack, userId: string, items: { productId: string; quantity: number }[]) =>
  (
    await gql(stack, 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
      input: { userId, items },
    })
  ).placeOrder.id as string;

/** A client's upload through the gateway (its two mutations counted as writes of the load). */
const upload = (stack: TestStack, ownerType: string, ownerId: string, filename: string, contentType: string) =>
  uploadThroughGateway((query, variables) => gql(stack, query, variables), {
    ownerType,
    ownerId,
    filename,
    contentType,
  });

async function seed(stack: TestStack) {
  await upsertTestCategory(stack.gatewayUrl, 'drill');
  for (const name of ['Ada', 'Grace']) {
    const { createUser } = await gql(
      stack,
      'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
      {
        input: { email: `${name.toLowerCase()}-${Date.now()}@example.com`, name },
      },
    );
    seeded.users.push(createUser.id);
  }
  for (let i = 0; i < 3; i++) seeded.products.push(await createProduct(stack, `DRILL-${Date.now()}-${i}`));
  const [ada, grace] = seeded.users as [string, string];
  const [first, second] = seeded.products as [string, string];
  await gql(stack, 'mutation ($input: UpsertProductDetailsInput!) { upsertProductDetails(input: $input) { id } }', {
    input: { productId: first, description: 'A kettle', category: 'drill', tags: ['kitchen'] },
  });
  await addReview(stack, first, ada, 5);
  await addReview(stack, first, grace, 3);
  await addReview(stack, second, ada, 4);
  await upload(stack, 'PRODUCT', first, 'front.png', 'image/png');
  await upload(stack, 'PRODUCT', second, 'side.png', 'image/png');
  seeded.orders.push(
    await placeOrder(stack, ada, [
      { productId: first, quantity: 2 },
      { productId: second, quantity: 1 },
    ]),
  );
  await upload(stack, 'ORDER', seeded.orders[0]!, 'invoice.pdf', 'application/pdf');
  await upload(stack, 'USER', grace, 'me.png', 'image/png');
}

/** Creations and deletes of every kind, round after round (at most 200), until told to stop; by Grace, so Ada's orders stay as seeded. */
async function writeLoad(worker: number) {
  const [ada, grace] = seeded.users as [string, string];
  for (let round = 0; round < 200 && !load.stop; round++) {
    const kept = await createProduct(source, `LOAD-${worker}-${round}-${Date.now()}`);
    await upload(source, 'PRODUCT', kept, 'front.png', 'image/png');
    await placeOrder(source, grace, [{ productId: kept, quantity: 1 }]);
    await addReview(source, kept, grace, 4);
    const withdrawn = await addReview(source, kept, ada, 2);
    await gql(source, 'mutation ($input: DeleteReviewInput!) { deleteReview(input: $input) }', {
      input: { id: withdrawn },
    });
    const gone = await createProduct(source, `GONE-${worker}-${round}-${Date.now()}`);
    await upload(source, 'PRODUCT', gone, 'front.png', 'image/png');
    await addReview(source, gone, grace, 1);
    await gql(source, 'mutation ($id: ID!) { deleteProduct(input: { id: $id }) { __typename } }', { id: gone });
  }
}

/**
 * Products created and deleted back to back, until told to stop (at most 2,000): the
 * deletes the replay window needs, frequent enough that a short copy window still holds one.
 */
async function churn() {
  for (let round = 0; round < 2_000 && !load.stop; round++) {
    const id = await createProduct(source, `CHURN-${round}-${Date.now()}`);
    await gql(source, 'mutation ($id: ID!) { deleteProduct(input: { id: $id }) { __typename } }', { id });
  }
}

/** The event types of a set's replay window, read from its (encrypted) copy of the outbox. */
async function replayedEventTypes(taken: { dir: string; manifest: Manifest }): Promise<Set<string>> {
  const reader = await SetReader.open(taken.dir, PASSPHRASE);
  const outbox = taken.manifest.stores.postgres.tables.find(({ name }) => name === 'outbox')!;
  const [id, type] = [outbox.columns.indexOf('id'), outbox.columns.indexOf('event_type')];
  const from = BigInt(taken.manifest.positions.replay.fromOutboxId);
  const types = new Set<string>();
  for await (const line of reader.lines(outbox.file)) {
    const fields = line.split('\t');
    if (BigInt(fields[id]!) >= from) types.add(fields[type]!);
  }
  return types;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'restore-drill-'));
  source = await startTestStack();
  await seed(source);
  await settled(source);
  load.writes = 0;
  const workers = [...[1, 2].map(writeLoad), churn()];
  await eventually(async () => load.writes >= 10, 'the load running', 30_000);
  // A set whose replay window (the events between the start of the copies and PostgreSQL's
  // snapshot) holds creations and deletes: on a busy machine one copy may fall between writes.
  for (let attempt = 1; attempt <= 10; attempt++) {
    const out = join(folder, `set-${attempt}`);
    set = await takeBackup({ config: configOf(source.env), log, out, progress: silent });
    replayed = await replayedEventTypes(set);
    if (WINDOW_EVENTS.every((type) => replayed.has(type))) break;
  }
  load.stop = true;
  await Promise.all(workers);
  await settled(source);
  restored = await startTestStack(
    {},
    {
      beforeServices: async (env) => {
        await restoreBackup({ config: configOf(env), log, from: set.dir, progress: silent });
        const plain = configOf(env, { BACKUP_ENCRYPTION_KEY: '' });
        copyOfRestored = (await takeBackup({ config: plain, log, out: join(folder, 'copy'), progress: silent }))
          .manifest;
      },
    },
  );
  await settled(restored);
}, 240_000);

afterAll(async () => {
  load.stop = true;
  await restored?.dispose();
  await source?.dispose();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const contentOf = (file: { sha256: string; content?: { sha256: string } }) => file.content?.sha256 ?? file.sha256;

describe('a restore of a set taken under a write load', () => {
  it('put back every PostgreSQL row, and the replay window was in the copy window', () => {
    expect(set.manifest.encryption).toMatchObject({ algorithm: 'aes-256-gcm' });
    expect([...replayed]).toEqual(expect.arrayContaining(WINDOW_EVENTS));
    expect(set.manifest.positions.replay.events).toBeGreaterThan(0);
    const tables = (manifest: Manifest) =>
      manifest.stores.postgres.tables.map((table) => {
        const file = manifest.stores.postgres.files.find(({ path }) => path === table.file)!;
        // The outbox differs by design: its replay window is unpublished again.
        return { name: table.name, rows: table.rows, sha256: table.name === 'outbox' ? '' : contentOf(file) };
      });
    expect(tables(copyOfRestored)).toEqual(tables(set.manifest));
    expect(copyOfRestored.migrationLevel).toEqual(set.manifest.migrationLevel);
  });

  it('put back every document, object and registered operation, counts and checksums as in the manifest', () => {
    const collections = (manifest: Manifest) =>
      manifest.stores.mongodb.collections.map(({ name, documents }) => {
        const file = manifest.stores.mongodb.files.find(({ path }) => path === `mongodb/${name}.bson`);
        // Rating copies are recomputed by the restore: compared by count.
        const sha256 = name === 'product_details' || !file ? '' : contentOf(file);
        return { name, documents, sha256 };
      });
    expect(collections(copyOfRestored)).toEqual(collections(set.manifest));
    expect({ objects: copyOfRestored.stores.s3.objects, bytes: copyOfRestored.stores.s3.bytes }).toEqual({
      objects: set.manifest.stores.s3.objects,
      bytes: set.manifest.stores.s3.bytes,
    });
  });

  it('leaves stores the consistency checker finds whole once the replayed events are applied', async () => {
    await expectConsistent(configOf(restored.env), log);
  });

  it('answers a federated product page, stock, sales and orders as the original does', async () => {
    const page = `query ($id: ID!, $user: ID!) {
      product(id: $id) {
        id sku name price { amount currency } stock salesCount
        details { description category tags } rating { average count histogram }
        reviews(first: 10) { totalCount edges { node { id rating title author { id name } } } }
        images { id filename contentType size }
      }
      user(id: $user) { id name orders(first: 10) { totalCount edges { node { id status total { amount } items { quantity product { id } } } } } }
    }`;
    for (const id of seeded.products) {
      const variables = { id, user: seeded.users[0] };
      expect(await gql(restored, page, variables)).toEqual(await gql(source, page, variables));
    }
  });

  it('serves the images byte for byte', async () => {
    const reader = await SetReader.open(set.dir, PASSPHRASE);
    let compared = 0;
    for await (const entry of reader.objects()) {
      if (!entry.key.startsWith(`products/${seeded.products[0]}/`)) continue;
      const object = await restored.s3.client.send(
        new GetObjectCommand({ Bucket: restored.s3.bucket, Key: entry.key }),
      );
      const bytes = Buffer.from(await object.Body!.transformToByteArray());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
      expect(object.ContentType).toBe(entry.contentType);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('refuses stores that hold data, unless told to replace them', async () => {
    await expect(restoreBackup({ config: configOf(source.env), log, from: set.dir, progress: silent })).rejects.toThrow(
      StoresNotEmpty,
    );
  });
});

describe('a set that cannot be restored', () => {
  const refused = (dir: string, message: RegExp, extra: Env = {}) =>
    refusedWithNothingWritten(
      (env) => restoreBackup({ config: configOf(env, extra), log, from: dir, progress: silent }),
      message,
    );

  /** A copy of the drill's set, damaged by `damage`. */
  async function damaged(name: string, damage: (dir: string) => Promise<void>) {
    const dir = join(folder, name);
    await cp(set.dir, dir, { recursive: true });
    await damage(dir);
    return dir;
  }

  it('a truncated file, named', async () => {
    const file = set.manifest.stores.postgres.files.find(({ path }) => path === 'postgres/orders.copy')!;
    const dir = await damaged('truncated', (d) => truncate(join(d, file.path), file.bytes - 1));
    await refused(dir, /postgres\/orders\.copy has .* bytes/);
  }, 60_000);

  it('a changed byte, named', async () => {
    const file = set.manifest.stores.mongodb.files.find(({ path }) => path.endsWith('reviews.bson'))!;
    const dir = await damaged('changed', async (d) => {
      const bytes = await readFile(join(d, file.path));
      bytes[bytes.length >> 1]! ^= 0xff;
      await writeFile(join(d, file.path), bytes);
    });
    await refused(dir, /reviews\.bson does not match its checksum/);
  }, 60_000);

  it('a missing store', async () => {
    const dir = await damaged('partial', (d) => rm(join(d, 's3'), { recursive: true }));
    await refused(dir, /s3\/index\.jsonl is missing/);
  }, 60_000);

  it('a wrong key', async () => {
    await refused(set.dir, /does not open this set/, {
      BACKUP_ENCRYPTION_KEY: 'not the passphrase this set was written with',
    });
  }, 60_000);
});
