import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { access, chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { productPrefix } from '@polystore/storage-subgraph/seed';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { createLogger } from '@polystore/common';
import { bearer, errorCodes, eventually, graphqlRequest } from '@polystore/testing';
import { freePort } from '@polystore/embedded';
import { StackStartError, startStack, startStoresOnly, type RunningStack } from '@polystore/launcher';

/**
 * What `npm start` does on a machine with nothing but Node and a
 * `redis-server`: the real PostgreSQL and a private Redis embedded, MongoDB
 * and S3 servers on folders, every service its own process. It must be as
 * correct under concurrency and across services as the real servers.
 */
let dataDir: string;
let env: Record<string, string>;
let stack: RunningStack | undefined;
const log = createLogger('stack-test', 'silent');
const run = promisify(execFile);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'polystore-stack-'));
  // As root the embedded PostgreSQL runs as `postgres`, which must reach its folder.
  await chmod(dataDir, 0o755);
  const [gateway, sql, mongo, storage, metrics] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  env = {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: '--openssl-legacy-provider --no-warnings',
    LOG_LEVEL: 'error',
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(gateway),
    SQL_SUBGRAPH_PORT: String(sql),
    MONGO_SUBGRAPH_PORT: String(mongo),
    STORAGE_SUBGRAPH_PORT: String(storage),
    // The gateway's metrics listener where the launcher prints it; the subgraphs' on any free port.
    GATEWAY_METRICS_PORT: String(metrics),
    SQL_SUBGRAPH_METRICS_PORT: '0',
    MONGO_SUBGRAPH_METRICS_PORT: '0',
    STORAGE_SUBGRAPH_METRICS_PORT: '0',
  };
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const gql = (query: string, variables?: Record<string, unknown>) =>
  graphqlRequest(stack!.gatewayUrl, query, variables, { headers: bearer(stack!.tokens.admin!) });

const PRODUCT = `{ products(first: 1) { totalCount edges { node { sku price { amount } details { category } images { url } } } } }`;
const COUNTS = `{ products(first: 1) { totalCount } users(first: 10) { totalCount edges { node { orders(first: 1) { totalCount } } } } }`;

describe('npm start', () => {
  it('starts embedded stores and four services, seeds demo data, and serves images by URL', async () => {
    stack = await startStack({ env, log });
    // No JWT_SECRET configured: development secrets, and tokens printed to try the API with.
    expect(stack.tokens.admin).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stack.tokens.user).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(Object.keys(stack.storeEnv).sort()).toEqual([
      'DATABASE_OWNER_URL',
      'DATABASE_READER_ROLE',
      'DATABASE_URL',
      'MONGO_URL',
      'REDIS_URL',
      'S3_ENDPOINT',
    ]);
    // The services connect as a role of their own, which writes orders only through the procedures.
    const services = new pg.Client({ connectionString: stack.storeEnv.DATABASE_URL });
    await services.connect();
    try {
      expect((await services.query('SELECT current_user AS role')).rows).toEqual([{ role: 'polystore_service' }]);
      await expect(services.query('UPDATE orders SET total_amount = total_amount + 12345')).rejects.toMatchObject({
        code: '42501',
      });
    } finally {
      await services.end();
    }
    const response = await gql(PRODUCT);
    expect(response.errors).toBeUndefined();
    // Metrics for operators on their own port; clients on the gateway's get 404.
    const metrics = await fetch(stack.metricsUrl!);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('service="gateway"');
    expect((await fetch(new URL('/metrics', stack.gatewayUrl))).status).toBe(404);
    const { totalCount, edges } = response.data!.products;
    expect(totalCount).toBeGreaterThan(0);
    const product = edges[0].node;
    expect(product.details.category).toMatch(/\w/);
    expect(product.images.length).toBeGreaterThan(0);
    const catalog = await gql(
      `{ categories { slug } searchProducts(text: "TENT", category: "camping") { edges { node { sku rating { count average } reviews(first: 5) { edges { node { author { name } } } } } } } }`,
    );
    expect(catalog.errors).toBeUndefined();
    expect(catalog.data!.categories).toHaveLength(5);
    expect(catalog.data!.searchProducts.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      {
        sku: 'TENT-2P',
        rating: { count: 2, average: 4.5 },
        reviews: {
          edges: [{ node: { author: { name: 'Grace Hopper' } } }, { node: { author: { name: 'Ada Lovelace' } } }],
        },
      },
    ]);
    const image = await fetch(product.images[0].url);
    expect(image.status).toBe(200);
    expect(await image.text()).toContain('<svg');
    expect((await readdir(dataDir)).sort()).toEqual([
      'mongo',
      'postgres',
      'postgres.log',
      'redis',
      'redis.log',
      's3',
      'stack.json',
    ]);

    const orders = await gql(
      `{ users(first: 1) { edges { node { orders { totalCount edges { node { status history { to } } } } } } } }`,
    );
    expect(orders.data!.users.edges[0].node.orders.totalCount).toBeGreaterThan(0);
  }, 120_000);

  it('sells exactly the stock under 20 concurrent orders: 10 orders, 10 INSUFFICIENT_STOCK, nothing else', async () => {
    const created = await gql(`mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`, {
      input: { sku: 'RACE-10', name: 'Last ten', price: { amount: 1500, currency: 'USD' }, stock: 10 },
    });
    const productId = created.data!.createProduct.id;
    const buyer = await gql(`{ users(first: 1) { edges { node { id } } } }`);
    const userId = buyer.data!.users.edges[0].node.id;

    const placed = await Promise.all(
      Array.from({ length: 20 }, () =>
        gql(`mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`, {
          input: { userId, items: [{ productId, quantity: 1 }] },
        }),
      ),
    );
    const codes = placed.map((result) => errorCodes(result)[0] ?? 'PLACED');
    expect(codes.filter((code) => code === 'PLACED')).toHaveLength(10);
    expect(codes.filter((code) => code === 'INSUFFICIENT_STOCK')).toHaveLength(10);
    // Every order a client was told about exists, and no other does.
    const told = placed.flatMap((result) => (result.data?.placeOrder ? [result.data.placeOrder.id] : []));
    const stored = await gql(`query ($id: ID!) { product(id: $id) { stock salesCount } }`, { id: productId });
    expect(stored.data!.product).toEqual({ stock: 0, salesCount: 10 });
    for (const id of told) {
      const order = await gql(`query ($id: ID!) { order(id: $id) { status } }`, { id });
      expect(order.data!.order).toEqual({ status: 'PENDING' });
    }
  }, 60_000);

  it("removes a deleted product's details and images from MongoDB and S3 within seconds", async () => {
    // The last demo product has details and images and no orders.
    const listed = await gql(`{ products(first: 6) { edges { node { id sku details { category } images { id } } } } }`);
    const doomed = listed.data!.products.edges.at(-1).node;
    expect(doomed.details).not.toBeNull();
    expect(doomed.images.length).toBeGreaterThan(0);

    const s3 = new S3Client({
      endpoint: stack!.storeEnv.S3_ENDPOINT,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const objects = async () =>
      (await s3.send(new ListObjectsV2Command({ Bucket: 'polystore', Prefix: productPrefix(doomed.id) }))).KeyCount ??
      0;
    expect(await objects()).toBeGreaterThan(0);

    const deleted = await gql(`mutation ($input: DeleteInput!) { deleteProduct(input: $input) { id } }`, {
      input: { id: doomed.id },
    });
    expect(deleted.errors).toBeUndefined();
    await eventually(
      async () =>
        (await gql(`query ($id: ID!) { productDetails(productId: $id) { category } }`, { id: doomed.id })).data!
          .productDetails === null,
      'the details are gone from MongoDB',
      5_000,
    );
    await eventually(async () => (await objects()) === 0, 'the images are gone from S3', 5_000);
    s3.destroy();
  }, 60_000);

  it('stops every process cleanly and keeps every order for the next start, without seeding twice', async () => {
    const before = await gql(COUNTS);
    await stack!.stop();
    await expect(fetch(stack!.gatewayUrl)).rejects.toThrow();
    // Both servers removed their pid files: they shut down, not crashed.
    await expect(access(join(dataDir, 'postgres', 'postmaster.pid'))).rejects.toThrow();
    await expect(access(join(dataDir, 'redis', 'redis.pid'))).rejects.toThrow();

    stack = await startStack({ env, log });
    const after = await gql(COUNTS);
    expect(after.data).toEqual(before.data);
  }, 120_000);

  it('backs up the running stack, refuses a restore while its services run, and restores onto its stores alone', async () => {
    const before = await gql(COUNTS);
    const folder = await mkdtemp(join(tmpdir(), 'polystore-stack-set-'));
    const set = join(folder, 'set');
    const tool = (name: string, args: string[]) =>
      run(process.execPath, ['--import', 'tsx', `tools/operations/src/${name}-cli.ts`, ...args], { env }).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
    try {
      expect(await tool('backup', ['--out', set])).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/backup set/),
      });
      // Written after the set: the restore takes it away.
      const created = await gql(
        'mutation { createProduct(input: { sku: "AFTER-THE-SET", name: "After", price: { amount: 1, currency: "EUR" } }) { id } }',
      );
      expect(created.errors).toBeUndefined();
      expect(await tool('restore', [set, '--replace'])).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/runs its services .*npm start -- --stores-only/),
      });

      await stack!.stop();
      stack = undefined;
      const stores = await startStoresOnly({ env, log });
      try {
        expect(await tool('restore', [set, '--replace'])).toMatchObject({
          code: 0,
          stdout: expect.stringMatching(/restored the set/),
        });
      } finally {
        await stores.stop();
      }
      stack = await startStack({ env, log });
      expect((await gql(COUNTS)).data).toEqual(before.data);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses to start over a running stack or on a port in use, and says which variable to change', async () => {
    await expect(startStack({ env, log })).rejects.toThrow(/already running on .*DATA_DIR/);
    await stack!.stop();
    stack = undefined;

    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(Number(env.MONGO_SUBGRAPH_PORT), '127.0.0.1', resolve));
    try {
      const start = startStack({ env, log });
      await expect(start).rejects.toThrow(StackStartError);
      await expect(start).rejects.toThrow(/port \d+ .*MONGO_SUBGRAPH_PORT.* already in use/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);

  it('stops whatever had started when start-up is interrupted (Ctrl-C)', async () => {
    const interrupt = new AbortController();
    const start = startStack({ env, log, signal: interrupt.signal });
    // Interrupt once the stores are up and a service answers, before the gateway is ready.
    await eventually(
      () =>
        fetch(`http://127.0.0.1:${env.STORAGE_SUBGRAPH_PORT}/health`).then(
          (response) => response.ok,
          () => false,
        ),
      'a subgraph is up',
      30_000,
    );
    interrupt.abort(new Error('SIGINT'));
    await expect(start).rejects.toThrow();
    await expect(access(join(dataDir, 'postgres', 'postmaster.pid'))).rejects.toThrow();
    await expect(access(join(dataDir, 'redis', 'redis.pid'))).rejects.toThrow();
    for (const port of [env.GATEWAY_PORT, env.SQL_SUBGRAPH_PORT, env.MONGO_SUBGRAPH_PORT, env.STORAGE_SUBGRAPH_PORT]) {
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    }
  }, 60_000);
});
