import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@polystore/common';
import { freePort } from '@polystore/embedded';
import { SERVED_BY_HEADER, StackStartError, startStack, type RunningStack } from '@polystore/launcher';
import { adminToken, bearer, eventually, testToken } from '@polystore/testing';
import { firstEvent, subscribeOverSse, type TestSubscription } from '@polystore/testing/subscriptions';
import { startTestStores, type TestStores } from '../support/stack.js';

/**
 * `npm start -- --replicas 2`: two processes of each service behind HAProxy on
 * the usual ports. Requests are balanced over both gateways, a subscriber on one
 * gateway hears a mutation made through the other, and the stack serves on when
 * one replica of each service is killed.
 */
let dataDir: string;
let stores: TestStores;
let stack: RunningStack | undefined;
const subscriptions: TestSubscription[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'polystore-launcher-replicas-'));
  stores = await startTestStores({ LOG_LEVEL: 'error', SEED_ON_START: 'false' });
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  stack = await startStack({
    env: {
      PATH: process.env.PATH ?? '',
      NODE_OPTIONS: '--openssl-legacy-provider --no-warnings',
      ...stores.env,
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(ports[0]),
      SQL_SUBGRAPH_PORT: String(ports[1]),
      MONGO_SUBGRAPH_PORT: String(ports[2]),
      STORAGE_SUBGRAPH_PORT: String(ports[3]),
      GATEWAY_METRICS_PORT: '0',
      SQL_SUBGRAPH_METRICS_PORT: '0',
      MONGO_SUBGRAPH_METRICS_PORT: '0',
      STORAGE_SUBGRAPH_METRICS_PORT: '0',
    },
    log: createLogger('launcher-replicas', 'silent'),
    replicas: 2,
  });
}, 120_000);

afterAll(async () => {
  for (const subscription of subscriptions) await subscription.dispose();
  await stack?.stop();
  await stores?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

/** A GraphQL request through the balancer, with the gateway replica that answered. */
async function request(query: string, variables: Record<string, unknown> = {}, token = adminToken()) {
  const response = await fetch(stack!.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ query, variables }),
  });
  return { body: (await response.json()) as any, servedBy: response.headers.get(SERVED_BY_HEADER) };
}

const createProduct = async () =>
  (
    await request('mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: { sku: `LAUNCHER-${randomUUID()}`, name: 'Kettle', price: { amount: 1500, currency: 'EUR' }, stock: 5 },
    })
  ).body.data.createProduct.id as string;
const RESTOCK = 'mutation ($id: ID!) { restock(input: { productId: $id, quantity: 1 }) { stock } }';

describe('npm start -- --replicas 2', () => {
  it('runs two processes of each service and HAProxy, and balances requests over both gateways', async () => {
    expect(stack!.processes.map(({ name }) => name).sort()).toEqual([
      'gateway-1',
      'gateway-2',
      'haproxy',
      'mongo-subgraph-1',
      'mongo-subgraph-2',
      'sql-subgraph-1',
      'sql-subgraph-2',
      'storage-subgraph-1',
      'storage-subgraph-2',
    ]);
    const servedBy = new Set<string | null>();
    for (let i = 0; i < 6; i++) {
      const { body, servedBy: gateway } = await request('{ products(first: 1) { totalCount } }');
      expect(body.errors).toBeUndefined();
      servedBy.add(gateway);
    }
    expect([...servedBy].sort()).toEqual(['gateway-1', 'gateway-2']);
  });

  it('delivers to a subscriber on one gateway the event of a mutation made through the other', async () => {
    const productId = await createProduct();
    const subscription = await subscribeOverSse(
      stack!.gatewayUrl,
      'subscription ($id: ID) { inventoryChanged(productId: $id) { id stock } }',
      { id: productId },
      { token: testToken({ sub: randomUUID() }) },
    );
    subscriptions.push(subscription);
    await firstEvent(subscription, () => request(RESTOCK, { id: productId }));
    // Round robin: of two restocks in a row, one goes through each gateway.
    const through = new Set<string | null>();
    const stocks: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { body, servedBy } = await request(RESTOCK, { id: productId });
      through.add(servedBy);
      stocks.push(body.data.restock.stock);
    }
    expect(through.size).toBe(2);
    await eventually(
      async () =>
        stocks.every((stock) => subscription.received.some((r: any) => r.data?.inventoryChanged?.stock === stock)),
      'the subscriber heard both restocks',
    );
  });

  it('serves on when one replica of each service is killed', async () => {
    for (const name of ['sql-subgraph-1', 'mongo-subgraph-1', 'storage-subgraph-1', 'gateway-1'])
      process.kill(stack!.processes.find((one) => one.name === name)!.pid!, 'SIGKILL');
    let settled: string | undefined;
    void stack!.failed.then((reason) => (settled = reason));
    const QUERY = '{ products(first: 1) { totalCount edges { node { details { category } images { url } } } } }';
    // A request in flight at the kill may fail (the failover gap the replicas test measures); once HAProxy's
    // checks have taken the dead replicas out, every request is served by the ones left.
    await eventually(
      async () => (await request(QUERY).catch(() => undefined))?.body.errors === undefined,
      'a request answered after the kills',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (let i = 0; i < 6; i++) {
      const { body, servedBy } = await request(QUERY);
      expect(body.errors).toBeUndefined();
      expect(servedBy).toBe('gateway-2');
    }
    expect(settled).toBeUndefined();
  });

  it('refuses a replica count it cannot run, before starting anything', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      DATA_DIR: join(dataDir, 'other'),
      GATEWAY_PORT: String(await freePort()),
    };
    for (const replicas of [0, 1.5, Number.NaN, 9])
      await expect(startStack({ env, log: createLogger('launcher-replicas', 'silent'), replicas })).rejects.toThrow(
        StackStartError,
      );
  });
});
