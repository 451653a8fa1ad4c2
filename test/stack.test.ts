import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@polystore/common';
import { graphqlRequest } from '@polystore/common/testing';
import { freePort } from '@polystore/embedded';
import { startStack, type RunningStack } from '@polystore/stack';

/**
 * What `npm start` does on a machine with nothing but Node: every store
 * embedded, every service its own process, demo data on first start, and
 * the data still there after a restart.
 */
let dataDir: string;
let env: Record<string, string>;
let stack: RunningStack | undefined;
const log = createLogger('stack-test', 'silent');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'polystore-stack-'));
  const [gateway, sql, mongo, storage] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  env = {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: '--openssl-legacy-provider --no-warnings',
    LOG_LEVEL: 'error',
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(gateway),
    SQL_SUBGRAPH_PORT: String(sql),
    MONGO_SUBGRAPH_PORT: String(mongo),
    STORAGE_SUBGRAPH_PORT: String(storage),
  };
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const PRODUCT = `{ products(first: 1) { totalCount edges { node { sku price { amount } details { category } images { url } } } } }`;

describe('npm start', () => {
  it('starts embedded stores and four services, seeds demo data, and serves images by URL', async () => {
    stack = await startStack({ env, log });
    const response = await graphqlRequest(stack.gatewayUrl, PRODUCT);
    expect(response.errors).toBeUndefined();
    const { totalCount, edges } = response.data!.products;
    expect(totalCount).toBeGreaterThan(0);
    const product = edges[0].node;
    expect(product.details.category).toMatch(/\w/);
    expect(product.images.length).toBeGreaterThan(0);
    const image = await fetch(product.images[0].url);
    expect(image.status).toBe(200);
    expect(await image.text()).toContain('<svg');
    expect((await readdir(dataDir)).sort()).toEqual(['mongo', 'postgres', 's3', 'stack.json']);

    const orders = await graphqlRequest(
      stack.gatewayUrl,
      `{ users(first: 1) { edges { node { orders { totalCount edges { node { status history { to } } } } } } } }`,
    );
    expect(orders.data!.users.edges[0].node.orders.totalCount).toBeGreaterThan(0);
  }, 120_000);

  it('stops every process cleanly and keeps the data for the next start, without seeding twice', async () => {
    const before = await graphqlRequest(
      stack!.gatewayUrl,
      `{ products(first: 1) { totalCount } users(first: 1) { totalCount } }`,
    );
    await stack!.stop();
    await expect(fetch(stack!.gatewayUrl)).rejects.toThrow();

    stack = await startStack({ env, log });
    const after = await graphqlRequest(
      stack.gatewayUrl,
      `{ products(first: 1) { totalCount } users(first: 1) { totalCount } }`,
    );
    expect(after.data).toEqual(before.data);
  }, 120_000);
});
