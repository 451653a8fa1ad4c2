import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createLogger, REDIS_SERVICES, redisUserName, type RedisService } from '@polystore/common';
import { bearer, eventually, graphqlRequest } from '@polystore/testing';
import { subscribeOverWebSocket, type TestSubscription } from '@polystore/testing/subscriptions';
import { freePort } from '@polystore/embedded';
import { startStack, type RunningStack } from '@polystore/launcher';

/**
 * `npm start` on a fresh DATA_DIR, then its embedded PostgreSQL or Redis is
 * killed with -9: the launcher starts it again on the same port and folder,
 * and orders, reads and a subscription opened before the kill work again
 * with no one touching anything.
 */
let dataDir: string;
let stack: RunningStack | undefined;
let subscription: TestSubscription | undefined;
let productId: string;
let userId: string;
const log = createLogger('store-restart-test', 'silent');

const gql = (query: string, variables?: Record<string, unknown>) =>
  graphqlRequest(stack!.gatewayUrl, query, variables, { headers: bearer(stack!.tokens.admin!), timeoutMs: 5_000 });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'polystore-restart-'));
  // As root the embedded PostgreSQL runs as `postgres`, which must reach its folder.
  await chmod(dataDir, 0o755);
  const [gateway, sql, mongo, storage] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  stack = await startStack({
    env: {
      PATH: process.env.PATH ?? '',
      NODE_OPTIONS: '--openssl-legacy-provider --no-warnings',
      LOG_LEVEL: 'error',
      DATA_DIR: dataDir,
      SEED_ON_START: 'false',
      // Free ports, not the defaults: other stacks may run on this machine.
      METRICS_ENABLED: 'false',
      GATEWAY_PORT: String(gateway),
      SQL_SUBGRAPH_PORT: String(sql),
      MONGO_SUBGRAPH_PORT: String(mongo),
      STORAGE_SUBGRAPH_PORT: String(storage),
    },
    log,
  });
  const user = await gql(`mutation { createUser(input: { email: "k9@example.com", name: "K9" }) { id } }`);
  userId = user.data!.createUser.id;
  const product = await gql(
    `mutation { createProduct(input: { sku: "KILL-9", name: "Sturdy", price: { amount: 100, currency: "EUR" }, stock: 100 }) { id } }`,
  );
  productId = product.data!.createProduct.id;
  subscription = subscribeOverWebSocket(
    stack.gatewayUrl,
    `subscription ($id: ID) { inventoryChanged(productId: $id) { stock } }`,
    { id: productId },
    { token: stack.tokens.admin },
  );
}, 120_000);

afterAll(async () => {
  await subscription?.dispose();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const pidIn = async (file: string) =>
  Number.parseInt((await readFile(join(dataDir, file), 'utf8')).split('\n')[0]!, 10);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A subscription event with this stock arrived. */
const heard = (stock: number) =>
  subscription!.received.some((result) => (result as any).data?.inventoryChanged?.stock === stock);

/** Places an order for one item; true once it went through (false while a store is still away). */
const ordered = async () => {
  const placed = await gql(`mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`, {
    input: { userId, items: [{ productId, quantity: 1 }] },
  }).catch(() => undefined);
  return placed?.data?.placeOrder?.id !== undefined;
};

const stock = async () =>
  (await gql(`query ($id: ID!) { product(id: $id) { stock } }`, { id: productId })).data!.product.stock as number;

/** After a kill: the store is back under a new pid, an order goes through, the read sees it, the subscriber hears it. */
async function expectEverythingBack(pidFile: string, killed: number) {
  await eventually(
    async () => {
      const pid = await pidIn(pidFile).catch(() => killed);
      return pid !== killed && alive(pid);
    },
    `a new server wrote ${pidFile}`,
    30_000,
  );
  await eventually(ordered, 'an order goes through', 30_000);
  const now = await stock();
  await eventually(async () => heard(now), `the subscriber hears stock ${now}`, 30_000);
  // Reads come back to the same answer (none is served from a stale cache).
  expect(await stock()).toBe(now);
}

/** Every service is connected to the private Redis as its own ACL user; the default user needs the launcher's password. */
async function expectServicesAsTheirUsers() {
  const url = new URL(stack!.storeEnv.REDIS_URL!);
  expect(url.password).not.toBe('');
  const admin = new Redis(url.toString());
  try {
    const users = String(await admin.call('CLIENT', 'LIST')).match(/ user=\S+/g) ?? [];
    for (const service of Object.keys(REDIS_SERVICES) as RedisService[]) {
      expect(users).toContain(` user=${redisUserName('polystore:', service)}`);
    }
    // Ours is the only connection as the default user.
    expect(users.filter((user) => user === ' user=default')).toHaveLength(1);
  } finally {
    await admin.quit();
  }
  url.password = '';
  url.username = '';
  const anonymous = new Redis(url.toString(), { maxRetriesPerRequest: 0 });
  try {
    await expect(anonymous.get('polystore:sql:User:1')).rejects.toThrow(/NOAUTH/);
  } finally {
    anonymous.disconnect();
  }
}

describe('npm start, a store killed with -9', () => {
  it('the services connect to the private Redis as their own ACL users', async () => {
    await expectServicesAsTheirUsers();
  });

  it('the subscription works before any kill', async () => {
    // The subscription is set up in the background: order until an event reaches it.
    await eventually(
      async () => (await ordered()) && (await new Promise((resolve) => setTimeout(resolve, 200)), heard(await stock())),
      'the subscriber hears an order',
      20_000,
    );
  }, 30_000);

  it('Redis: restarted from its append-only file; orders, reads and the open subscription work again', async () => {
    const killed = await pidIn('redis/redis.pid');
    process.kill(killed, 'SIGKILL');
    await expectEverythingBack('redis/redis.pid', killed);
    // The restarted server has the services' ACL users again (ACLs are not in the append-only file).
    await expectServicesAsTheirUsers();
  }, 120_000);

  it('PostgreSQL: restarted on its folder; orders, reads and the open subscription work again', async () => {
    const killed = await pidIn('postgres/postmaster.pid');
    process.kill(killed, 'SIGKILL');
    await expectEverythingBack('postgres/postmaster.pid', killed);
  }, 120_000);
});
