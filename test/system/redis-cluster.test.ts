/**
 * The whole stack on a Redis Cluster: three masters started here
 * (`redis-server --cluster-enabled yes`, joined by `redis-cli --cluster
 * create`), every service connected through REDIS_CLUSTER_NODES as its own
 * ACL user. Entity caches, the response cache with its Lua scripts, domain
 * events to every consumer group, subscriptions following the stream, APQ and rate
 * limits must all work; a command whose keys span two slots would fail with
 * CROSSSLOT, which the services log and degrade on, so their logs are read
 * too. The keys must spread over the masters, the response cache alone in
 * one slot, and SCAN-based flushes (the cache fence, a restore) must reach
 * every master.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createGateway } from '@polystore/gateway';
import { composeSupergraph } from '@polystore/gateway/compose';
import {
  createLogger,
  globEscape,
  keySlot,
  loadConfig,
  redisKeys,
  scanKeys,
  unlinkScanned,
  type RedisService,
} from '@polystore/common';
import { provisionRedisUsers } from '@polystore/operations';
import { asAdmin, bearer, eventually, graphqlRequest, testServiceContext, testToken } from '@polystore/testing';
import { operationHash } from '@polystore/gateway/operations';
import { subscribeOverWebSocket, type TestSubscription } from '@polystore/testing/subscriptions';
import { startTestStack, type TestStack } from '../support/stack.js';
import { startRedisCluster, type RedisClusterFixture } from './redis-cluster.js';

/** What the services log when a Redis command fails (a CROSSSLOT among them): none may appear. */
const REDIS_FAILURE =
  /CROSSSLOT|cache (read|write|invalidation) failed|response cache \w+ skipped|not published|subscribe failed|flush failed|cannot read the stream|rate limit counted in this replica/;
const failures: string[] = [];
const logs = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) {
      // A timeout is no refusal: all services share this process's event loop, which start-up can hold past 1 s.
      if (REDIS_FAILURE.test(line) && !line.includes('Command timed out')) failures.push(line);
    }
    done();
  },
});

const testLog = createLogger('redis-cluster-test', 'silent');
let cluster: RedisClusterFixture;
let stack: TestStack;
let limited: { url: string; close(): Promise<void> };
const subscriptions: TestSubscription[] = [];
const products: string[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  stack = await startTestStack(
    { ...cluster.env, GATEWAY_RESPONSE_CACHE: 'true', LOG_LEVEL: 'debug' },
    {
      logs,
      // The product's tool puts each service's user on every node (ACLs are per node, not shared by a cluster).
      beforeServices: async (env, redis) => {
        const passwords = Object.fromEntries(
          Object.entries(redis.serviceUrls).map(([service, url]) => [
            service,
            decodeURIComponent(new URL(url).password),
          ]),
        ) as Record<RedisService, string>;
        const { nodes } = await provisionRedisUsers({ config: loadConfig(env), passwords, log: testLog });
        expect(nodes.map(({ port }) => port).sort()).toEqual([...cluster.ports].sort());
      },
    },
  );
  // A second gateway on the same cluster with a small budget (the default user: the stack's env).
  const context = testServiceContext({ ...stack.env, GATEWAY_RATE_LIMIT: '3' }, logs);
  const gateway = await createGateway({ ...context, supergraph: composeSupergraph(stack.subgraphUrls) });
  limited = { url: await gateway.listen(0), close: () => context.teardown.close() };
  for (const sku of ['CLUSTER-1', 'CLUSTER-2', 'CLUSTER-3']) {
    const created = await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($sku: String!) { createProduct(input: { sku: $sku, name: "Cluster lamp", price: { amount: 900, currency: "EUR" }, stock: 5 }) { id } }`,
      { sku },
      { headers: asAdmin() },
    );
    expect(created.errors).toBeUndefined();
    products.push(created.data!.createProduct.id);
  }
  // The creations' events would otherwise drop cached answers mid-test.
  await stack.sql.flushOutbox();
  await eventually(allGroupsCaughtUp, 'every consumer group read the creations', 20_000);
}, 180_000);

/** Stops the services (once): the last test flushes their keys, which running consumers would write again. */
let stopServices = async () => {
  stopServices = async () => {};
  for (const subscription of subscriptions) await subscription.dispose();
  await limited?.close();
  await stack?.dispose();
};

afterAll(async () => {
  await stopServices();
  await cluster?.dispose();
});

const prefix = () => stack.redis.keyPrefix;

/** The consumer groups on the event stream (at least the three services'), each with nothing pending or unread. */
async function allGroupsCaughtUp(): Promise<boolean> {
  const groups = (await cluster.client.xinfo('GROUPS', redisKeys(prefix()).eventStream)) as unknown[][];
  const fields = groups.map((flat) => Object.fromEntries(flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1]]]))));
  return fields.length >= 3 && fields.every((group) => group.pending === 0 && group.lag === 0);
}

async function sample(metricsUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const rows = (await (await fetch(metricsUrl)).text()).split('\n');
  return rows
    .filter(
      (row) => row.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => row.includes(`${k}="${v}"`)),
    )
    .reduce((sum, row) => sum + Number(row.slice(row.lastIndexOf(' ') + 1)), 0);
}

const sqlRequests = () => sample(stack.metricsUrls.sql, 'http_requests_total', { route: '/graphql', method: 'POST' });
const PRODUCT = `query ($id: ID!) { product(id: $id) { id name price { amount } } }`;
const read = (headers: Record<string, string> = {}) =>
  graphqlRequest(stack.gatewayUrl, PRODUCT, { id: products[0] }, { headers });

describe('the stack on a three-master Redis Cluster', () => {
  it('reads entities through the Redis cache behind the loaders, several keys (several slots) at once', async () => {
    const lookups = (result: string) =>
      sample(stack.metricsUrls.sql, 'entity_cache_lookups_total', { type: 'Product', result });
    const three = `query ($a: ID!, $b: ID!, $c: ID!) { a: product(id: $a) { name } b: product(id: $b) { name } c: product(id: $c) { name } }`;
    const [a, b, c] = products;
    const slots = new Set(products.map((id) => keySlot(`${redisKeys(prefix()).namespace('sql')}Product:${id}`)));
    expect(slots.size).toBe(3);
    const hitsBefore = await lookups('hit');
    // Other users each time, so the gateway's response cache does not answer for the subgraph.
    const asSomeone = () => ({ headers: bearer(testToken({ sub: randomUUID() })) });
    expect((await graphqlRequest(stack.gatewayUrl, three, { a, b, c }, asSomeone())).errors).toBeUndefined();
    await eventually(async () => {
      const second = await graphqlRequest(stack.gatewayUrl, three, { a, b, c }, asSomeone());
      return second.data?.c?.name === 'Cluster lamp' && (await lookups('hit')) >= hitsBefore + 3;
    }, 'the three products are read from the cache');
  });

  it('answers a repeated query from the response cache and drops it on a mutation', async () => {
    await read();
    await eventually(async () => {
      const before = await sqlRequests();
      await read();
      return (await sqlRequests()) === before;
    }, 'the answer is served from the response cache');
    const updated = await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($id: ID!) { updateProduct(input: { id: $id, price: { amount: 1100, currency: "EUR" } }) { id } }`,
      { id: products[0] },
      { headers: asAdmin() },
    );
    expect(updated.errors).toBeUndefined();
    expect((await read()).data!.product.price).toEqual({ amount: 1100 });
  });

  it('carries a change behind the gateway to every consumer group, which drops the cached answers', async () => {
    await read();
    const entitySet = `${redisKeys(prefix()).responseCache}entity:Product:${products[0]}`;
    await eventually(async () => (await cluster.client.exists(entitySet)) === 1, 'the answer is cached');
    await stack.sql.db.query(`UPDATE products SET name = 'Clustered lamp' WHERE id = $1`, [products[0]]);
    await stack.sql.flushOutbox();
    await eventually(async () => (await read()).data!.product.name === 'Clustered lamp', 'the new name is served');
    await eventually(allGroupsCaughtUp, 'every consumer group applied the event', 20_000);
  });

  it('delivers subscription events from the stream on the cluster', async () => {
    const subscription = subscribeOverWebSocket(
      stack.gatewayUrl,
      `subscription ($id: ID) { inventoryChanged(productId: $id) { id stock } }`,
      { id: products[1] },
    );
    subscriptions.push(subscription);
    // Restocked until an event arrives: the subscription is set up in the background.
    await eventually(
      async () => {
        const restocked = await graphqlRequest(
          stack.gatewayUrl,
          `mutation ($id: ID!) { restock(input: { productId: $id, quantity: 1 }) { stock } }`,
          { id: products[1] },
          { headers: asAdmin() },
        );
        expect(restocked.errors).toBeUndefined();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return subscription.received.some((item: any) => item.data?.inventoryChanged?.id === products[1]);
      },
      'an inventoryChanged event arrives',
      20_000,
    );
  });

  it('keeps automatic persisted queries in the cluster, found by a SCAN of every master', async () => {
    const query = '{ products(first: 1) { totalCount } }';
    const hash = operationHash(query);
    const persisted = async (text?: string) =>
      (await (
        await fetch(stack.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: text, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
        })
      ).json()) as { data?: unknown; errors?: { message: string }[] };
    expect((await persisted()).errors?.[0]?.message).toBe('PersistedQueryNotFound');
    expect((await persisted(query)).data).toEqual({ products: { totalCount: 3 } });
    expect((await persisted()).data).toEqual({ products: { totalCount: 3 } });
    const key = redisKeys(prefix()).persistedQueries + hash;
    expect(await cluster.client.get(key)).toBe(query);
    const found: string[] = [];
    for await (const page of scanKeys(cluster.client, `${globEscape(redisKeys(prefix()).persistedQueries)}*`)) {
      found.push(...page.keys);
    }
    expect(found).toEqual([key]);
  });

  it('counts one rate-limit budget per caller in the cluster', async () => {
    const headers = { 'content-type': 'application/json', ...bearer(testToken({ sub: randomUUID() })) };
    const ask = () =>
      fetch(limited.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await ask();
      await response.text();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('spreads the keys over every master, the response cache in one slot, as Redis computes slots', async () => {
    const perMaster = new Map<string, string[]>();
    for await (const { keys, server } of scanKeys(cluster.client, `${globEscape(prefix())}*`)) {
      const name = `${server.options.host}:${server.options.port}`;
      perMaster.set(name, [...(perMaster.get(name) ?? []), ...keys]);
    }
    expect([...perMaster.values()].filter((keys) => keys.length > 0).length).toBe(3);
    const all = [...perMaster.values()].flat();
    const responseCache = all.filter((key) => key.startsWith(redisKeys(prefix()).responseCache));
    expect(responseCache.length).toBeGreaterThan(3);
    expect(new Set(responseCache.map(keySlot)).size).toBe(1);
    // The product's slot function agrees with the server's on every key it wrote.
    for (const key of all.slice(0, 50)) expect(keySlot(key)).toBe(await cluster.client.cluster('KEYSLOT', key));
  });

  it('logged no failed Redis command, and a SCAN-based flush (the cache fence, a restore) empties every master', async () => {
    expect(failures).toEqual([]);
    await stopServices();
    let removed = 0;
    for await (const page of scanKeys(cluster.client, `${globEscape(prefix())}*`)) removed += await unlinkScanned(page);
    expect(removed).toBeGreaterThan(0);
    const left: string[] = [];
    for await (const page of scanKeys(cluster.client, `${globEscape(prefix())}*`)) left.push(...page.keys);
    expect(left).toEqual([]);
  });
});
