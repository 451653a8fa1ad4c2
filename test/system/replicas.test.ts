/**
 * Replicas behind a real load balancer: two gateways and two replicas of each
 * subgraph, each its own OS process, behind Debian's HAProxy (one frontend for
 * clients, one per subgraph for the gateways, health checks on `/ready`), on
 * the real PostgreSQL and Redis and embedded MongoDB and S3. Through the
 * balancer: queries, mutations, subscriptions across gateways, the shared
 * response cache, APQ, rate limits and consumer groups; then kill -9 of one
 * replica of each service under a load of idempotent orders, and the failover
 * gaps, each the median of three trials (printed; docs/scaling.md has them).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createLogger, loadConfig } from '@polystore/common';
import { checkConsistency } from '@polystore/operations';
import { adminToken, consumerGroupCaughtUp, eventually, signedSubgraphRequest, testToken } from '@polystore/testing';
import { firstEvent } from '@polystore/testing/subscriptions';
import { operationHash } from '../../gateway/src/plugins/persisted-queries/redis-store.js';
import { monitorAcks } from './replicas/ack-monitor.js';
import { ask, RotatingIdentity, type Answer } from './replicas/client.js';
import {
  missedBy,
  publishedInventory,
  streamPosition,
  subscribe,
  type Subscriber,
} from './replicas/event-accounting.js';
import { measureGap, median, type Gap } from './replicas/failover.js';
import { startOrderLoad, PRODUCT_PAGE } from './replicas/order-load.js';
import { startReplicaSet, type ReplicaSet, type ServiceName } from './replicas/replica-set.js';

/** Requests per user and minute: small enough to reach in a test, the load rotates users below it. */
const RATE_LIMIT = 60;
const SERVICES: ServiceName[] = ['sql', 'mongo', 'storage', 'gateway'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const report = (line: string) => process.stderr.write(`replicas: ${line}\n`);

let set: ReplicaSet;
let redis: Redis;
let owner: pg.Client;
let streamKey: string;
let acks: Awaited<ReturnType<typeof monitorAcks>>;
const identity = new RotatingIdentity();
const userIds: string[] = [];
const open: Subscriber[] = [];

/** A request through the balancer that must succeed; `pin` routes it to one gateway. */
async function gql<Data = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, pin?: string) {
  const answer = await ask<Data>(set.url, query, variables, { pin, token: identity.next() });
  if (answer.errors || !answer.data) throw new Error(`${answer.status} ${JSON.stringify(answer.errors)}`);
  return answer as Answer<Data> & { data: Data };
}

const createProduct = async (stock: number, pin?: string) =>
  (
    await gql<{ createProduct: { id: string } }>(
      'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { sku: `REPLICA-${randomUUID()}`, name: 'Kettle', price: { amount: 1500, currency: 'EUR' }, stock } },
      pin,
    )
  ).data.createProduct.id;

const restock = (productId: string, pin?: string) =>
  gql<{ restock: { stock: number } }>(
    'mutation ($id: ID!) { restock(input: { productId: $id, quantity: 1 }) { stock } }',
    { id: productId },
    pin,
  );

/** Until the outbox is empty and every consumer group has acknowledged every event. */
async function settled(timeoutMs = 30_000) {
  await eventually(
    async () => {
      const { rows } = await owner.query('SELECT count(*)::integer AS n FROM outbox WHERE published_at IS NULL');
      const groups = await consumerGroups();
      const caughtUp = await Promise.all(
        groups.map((group) => consumerGroupCaughtUp(redis, set.stores.redis.keyPrefix, group)),
      );
      return rows[0].n === 0 && groups.length > 0 && caughtUp.every(Boolean);
    },
    'every event relayed and acknowledged by every group',
    timeoutMs,
  );
}

const consumerGroups = async () =>
  ((await redis.xinfo('GROUPS', streamKey)) as unknown[][]).map((fields) => String(fields[1]));
const streamEntryIds = async (after = '0-0') =>
  (await redis.xrange(streamKey, after === '0-0' ? '-' : `(${after}`, '+')).map(([id]) => id);

beforeAll(async () => {
  const started = Date.now();
  set = await startReplicaSet({
    env: {
      GATEWAY_RESPONSE_CACHE: 'true',
      GATEWAY_RATE_LIMIT: String(RATE_LIMIT),
      GATEWAY_RATE_LIMIT_WINDOW_SECONDS: '60',
      // An event is handed to another replica of its group when unacknowledged this long: longer
      // than a handler takes on this busy machine, or a slow handler's event is handled twice.
      EVENT_RETRY_AFTER_MS: '5000',
    },
  });
  report(`2 gateways and 2 replicas of each subgraph ready behind HAProxy in ${Date.now() - started} ms`);
  redis = new Redis(set.stores.redis.url);
  owner = new pg.Client({ connectionString: set.stores.env.DATABASE_OWNER_URL });
  await owner.connect();
  streamKey = `${set.stores.redis.keyPrefix}events`;
  acks = await monitorAcks(set.stores.redis.url, streamKey);
  for (const name of ['Ada', 'Grace']) {
    const { data } = await gql<{ createUser: { id: string } }>(
      'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { email: `${name.toLowerCase()}-${randomUUID()}@example.com`, name } },
    );
    userIds.push(data.createUser.id);
  }
}, 180_000);

afterAll(async () => {
  for (const subscriber of open.splice(0)) await subscriber.subscription.dispose();
  await acks?.dispose();
  redis?.disconnect();
  await owner?.end();
  await set?.dispose();
}, 60_000);

describe('two replicas of every service behind HAProxy', () => {
  it('answers queries and mutations through either gateway, and reaches both replicas of every subgraph', async () => {
    const productId = await createProduct(10, 'gateway-1');
    const read = await gql(PRODUCT_PAGE, { id: productId }, 'gateway-2');
    expect(read.servedBy).toBe('gateway-2');
    expect(read.data.product).toMatchObject({ id: productId, stock: 10, images: [] });
    const servedBy = new Set<string | undefined>();
    for (let i = 0; i < 8; i++) servedBy.add((await gql(PRODUCT_PAGE, { id: productId })).servedBy);
    expect(servedBy).toEqual(new Set(['gateway-1', 'gateway-2']));
    const servers = await set.haproxy.servers();
    for (const [name, { status, sessions }] of servers) {
      expect({ name, status }).toEqual({ name, status: 'UP' });
      expect({ name, served: sessions > 0 }).toEqual({ name, served: true });
    }
  });

  it('delivers an event caused through one gateway to subscribers of the other, over graphql-ws and SSE', async () => {
    const productId = await createProduct(1);
    const overWs = await subscribe(set.url, 'gateway-1', 'graphql-ws');
    const overSse = await subscribe(set.url, 'gateway-2', 'sse');
    open.push(overWs, overSse);
    expect(overSse.subscription.contentType).toMatch(/text\/event-stream/);
    await firstEvent(overWs.subscription, () => restock(productId, 'gateway-2'));
    expect(overWs.subscription.received[0]).toMatchObject({ data: { inventoryChanged: { id: productId } } });
    const { data } = await restock(productId, 'gateway-1');
    const announced = `${productId}:${data.restock.stock}`;
    await eventually(async () => overSse.received().has(announced), 'the SSE subscriber on gateway-2 hears it');
    await eventually(async () => overWs.received().has(announced), 'the graphql-ws subscriber on gateway-1 hears it');
  });

  it('drops a cached answer on every gateway when a mutation through the other changes it', async () => {
    const productId = await createProduct(3);
    await settled();
    const token = testToken({ sub: randomUUID() });
    const PRICE = 'query ($id: ID!) { product(id: $id) { id price { amount } } }';
    const price = async (pin: string) =>
      (await ask(set.url, PRICE, { id: productId }, { pin, token })).data?.product?.price.amount as number;
    const hits = async () => {
      const metrics = await (await fetch(set.replicas.gateway[1]!.metricsUrl!)).text();
      return [...metrics.matchAll(/^gateway_response_cache_lookups_total\{[^}]*result="hit"[^}]*\} (\d+)/gm)].reduce(
        (sum, [, n]) => sum + Number(n),
        0,
      );
    };
    expect(await price('gateway-1')).toBe(1500);
    // Stored after it is sent (write-behind): until then gateway-2 executes it too.
    await eventually(async () => {
      const before = await hits();
      return (await price('gateway-2')) === 1500 && (await hits()) === before + 1;
    }, 'gateway-2 answers from the shared cache');
    const updated = await ask(
      set.url,
      'mutation ($id: ID!) { updateProduct(input: { id: $id, price: { amount: 1700, currency: "EUR" } }) { id } }',
      { id: productId },
      { pin: 'gateway-2', token: adminToken(randomUUID()) },
    );
    expect(updated.errors).toBeUndefined();
    await eventually(async () => (await price('gateway-1')) === 1700, 'gateway-1 serves the new price', 5_000);
  });

  it('runs a query registered on one gateway by its hash alone on the other (APQ)', async () => {
    const query = `{ products(first: 1) { totalCount } } # ${randomUUID()}`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: operationHash(query) } };
    const token = identity.next();
    const unknown = await ask(set.url, undefined, {}, { pin: 'gateway-2', token, extensions });
    expect(unknown.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    const registered = await ask(set.url, query, {}, { pin: 'gateway-1', token, extensions });
    expect(registered.data).toBeDefined();
    const byHash = await ask(set.url, undefined, {}, { pin: 'gateway-2', token, extensions });
    expect(byHash.servedBy).toBe('gateway-2');
    expect(byHash.data).toEqual(registered.data);
  });

  it('spends one rate-limit budget across both gateways', async () => {
    const token = testToken({ sub: randomUUID() });
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i++) {
      const pin = i % 2 ? 'gateway-2' : 'gateway-1';
      statuses.push((await ask(set.url, '{ __typename }', {}, { pin, token })).status);
    }
    expect(statuses.every((status) => status === 200)).toBe(true);
    for (const pin of ['gateway-1', 'gateway-2']) {
      const refused = await ask(set.url, '{ __typename }', {}, { pin, token });
      expect({ pin, status: refused.status, code: refused.errors?.[0]?.extensions?.code }).toEqual({
        pin,
        status: 429,
        code: 'RATE_LIMITED',
      });
    }
  });

  it('hands each event to one replica of each consumer group, once', async () => {
    await settled();
    const groups = await consumerGroups();
    expect(groups.sort()).toEqual(['gateway-response-cache', 'mongo-subgraph', 'storage-subgraph']);
    const entries = await streamEntryIds();
    expect(entries.length).toBeGreaterThan(5);
    for (const [group, tally] of Object.entries(acks.tally(groups, entries)))
      expect({ group, ...tally }).toEqual({ group, events: entries.length, unacknowledged: 0, handledTwice: 0 });
  });
});

describe('kill -9 of one replica of each service', () => {
  /** Starts the load, kills replica 1 of each service 1.5 s apart (the gateway last), then stops the load. */
  async function killOneOfEachUnderLoad(products: string[]) {
    const load = startOrderLoad({ url: set.url, userIds, productIds: products });
    const killed: { name: string; service: ServiceName; at: number }[] = [];
    try {
      await eventually(async () => load.acknowledged.size >= 20, 'the load running', 30_000);
      for (const service of SERVICES) {
        const victim = set.replicas[service][0]!;
        killed.push({ name: victim.name, service, at: await victim.kill() });
        await sleep(1_500);
      }
      await sleep(2_000);
    } finally {
      await load.stop();
    }
    report(
      `load: ${load.acknowledged.size} orders acknowledged, ${load.retries} retried requests, ` +
        `${load.reads.ok} product pages read, ${load.reads.failed} failed (not retried); killed ${killed.map(({ name }) => name).join(', ')}`,
    );
    return { load, killed };
  }

  it('loses and duplicates no order, and accounts for every event, under a load of idempotent orders', async () => {
    const products = [await createProduct(100_000), await createProduct(100_000), await createProduct(100_000)];
    const warmUp = await createProduct(1);
    await settled();
    const position = await streamPosition(redis, streamKey);
    const subscribers = [
      await subscribe(set.url, 'gateway-1', 'graphql-ws'),
      await subscribe(set.url, 'gateway-1', 'graphql-ws'),
      await subscribe(set.url, 'gateway-2', 'graphql-ws'),
      await subscribe(set.url, 'gateway-1', 'sse'),
      await subscribe(set.url, 'gateway-2', 'sse'),
    ];
    open.push(...subscribers);
    try {
      for (const subscriber of subscribers) await firstEvent(subscriber.subscription, () => restock(warmUp));
      const { load, killed } = await killOneOfEachUnderLoad(products);
      await settled();

      // Orders: the client's acknowledged ones are exactly those in the database, each once.
      const { rows } = await owner.query<{ key: string; id: string }>(
        `SELECT idempotency_key AS key, id FROM orders WHERE idempotency_key LIKE 'load-%'`,
      );
      const stored = new Map(rows.map(({ key, id }) => [key, id]));
      expect(load.gaveUp).toEqual([]);
      expect(stored.size).toBe(rows.length);
      expect(new Map([...stored].sort())).toEqual(new Map([...load.acknowledged].sort()));
      const { rows: stock } = await owner.query<{ stock: number; sold: number }>(
        `SELECT p.stock, coalesce(sum(i.quantity), 0)::integer AS sold
           FROM products p LEFT JOIN order_items i ON i.product_id = p.id WHERE p.id = ANY($1) GROUP BY p.id`,
        [products],
      );
      for (const { stock: left, sold } of stock) expect(left + sold).toBe(100_000);

      // Events: every one reached the subscribers that stayed connected; the others' misses are counted.
      const published = await publishedInventory(redis, streamKey, position, new Set(products));
      const { rows: items } = await owner.query(
        'SELECT count(*)::integer AS n FROM order_items WHERE product_id = ANY($1)',
        [products],
      );
      expect(published.size).toBe(items[0].n);
      // The subscriptions run on the sql-subgraph, whose replicas follow the event stream itself. When one dies,
      // each gateway's upstream subscription on it is subscribed again (signed anew) from the last event's stream
      // position, and the other replica replays what came after: nothing is lost, and no window is excused.
      const sqlKill = killed.find(({ service }) => service === 'sql')!.at;
      // An SSE stream ends with its gateway and is not opened again: it is away from the gateway's kill on.
      const gatewayKill = killed.find(({ service }) => service === 'gateway')!.at;
      for (const subscriber of subscribers)
        if (subscriber.transport === 'sse' && subscriber.pin === 'gateway-1')
          subscriber.connections.push({ state: 'closed', at: gatewayKill });
      // The load's last orders (its final retries) commit just before it stops: their events may still be on
      // their way to a subscriber. Waited for, 10 s at most; what has not come by then is counted.
      const waitFrom = Date.now();
      await eventually(
        async () => subscribers.every((subscriber) => missedBy(subscriber, published).unexplained === 0),
        'the last events delivered',
        10_000,
      ).catch(() => undefined);
      report(`last events: waited ${Date.now() - waitFrom} ms for them after the streams were caught up`);
      const accounts = subscribers.map((subscriber) => {
        const account = missedBy(subscriber, published);
        const ended = subscriber.subscription.received.filter((result) => !(result as { data?: unknown }).data);
        // Times relative to the sql-subgraph replica's death, so a failure says what it was near.
        const unexplainedAt = account.unexplainedAt.map((at) => at - sqlKill);
        report(
          `${subscriber.name}: ${JSON.stringify({ published: published.size, ...account, unexplainedAt, ended })}`,
        );
        return { subscriber, account, ended };
      });
      for (const { subscriber, account, ended } of accounts) {
        const { name } = subscriber;
        // Nothing committed well before the sql-subgraph's replica died is missed, nor by anyone for another reason.
        expect({ name, unexplained: account.unexplained }).toEqual({ name, unexplained: 0 });
        if (subscriber.pin === 'gateway-2')
          expect({ name, whileAway: account.whileAway }).toEqual({ name, whileAway: 0 });
        else if (subscriber.transport === 'graphql-ws') {
          // Back by itself, and it heard what came after.
          expect({ name, reconnected: account.reconnects >= 1 }).toEqual({ name, reconnected: true });
          expect(account.received).toBeGreaterThan(0);
        } else expect(ended.length).toBeGreaterThan(0);
      }

      // Consumer groups: every event handled by each group; a kill may cause a second delivery (handlers are idempotent).
      const tallies = acks.tally(await consumerGroups(), await streamEntryIds(position));
      report(`consumer groups after the kills: ${JSON.stringify(tallies)}`);
      for (const [group, { unacknowledged }] of Object.entries(tallies))
        expect({ group, unacknowledged }).toEqual({ group, unacknowledged: 0 });

      const consistency = await checkConsistency({
        config: loadConfig({ ...set.stores.env, LOG_LEVEL: 'silent' }),
        log: createLogger('replicas-consistency', 'silent'),
      });
      expect(Object.entries(consistency.findings).filter(([, { count }]) => count > 0)).toEqual([]);
      expect(consistency.clean).toBe(true);
    } finally {
      for (const subscriber of open.splice(0)) await subscriber.subscription.dispose();
      const down = SERVICES.map((service) => set.replicas[service][0]!).filter((replica) => !replica.running());
      await Promise.all(down.map((replica) => replica.start()));
      await set.haproxy.allUp();
    }
  }, 150_000);

  it('routes around a killed replica: each failover gap, the median of three trials', async () => {
    const probes: Record<ServiceName, () => Promise<boolean>> = {
      // The gateway answers __typename itself: its probe measures the gateways alone.
      gateway: async () =>
        (await ask(set.url, '{ __typename }', {}, { token: identity.next(), timeoutMs: 2_000 })).status === 200,
      // The subgraphs straight through their frontends, as the gateways call them.
      ...(Object.fromEntries(
        (['sql', 'mongo', 'storage'] as const).map((service) => [
          service,
          async () => {
            const answer = await Promise.race([
              signedSubgraphRequest(set.frontends[service], '{ __typename }'),
              sleep(2_000).then(() => ({ data: undefined })),
            ]);
            return answer.data?.__typename === 'Query';
          },
        ]),
      ) as Record<'sql' | 'mongo' | 'storage', () => Promise<boolean>>),
    };
    const trials: Record<ServiceName, Gap[]> = { gateway: [], sql: [], mongo: [], storage: [] };
    for (let trial = 0; trial < 3; trial++) {
      // Each trial kills one replica of every service at once; each is probed on its own path.
      const victims = SERVICES.map((service) => set.replicas[service][(trial + 1) % 2]!);
      const gaps = await Promise.all(victims.map((victim) => measureGap(probes[victim.service], victim.kill)));
      for (const [i, gap] of gaps.entries()) trials[victims[i]!.service].push(gap);
      await Promise.all(victims.map((victim) => victim.start()));
      await set.haproxy.allUp();
    }
    for (const service of SERVICES) {
      const gaps = trials[service];
      report(
        `failover gap of ${service}: refused for a median ${median(gaps.map((gap) => gap.refusedMs))} ms ` +
          `(trials ${gaps.map((gap) => gap.refusedMs).join(', ')} ms; failed requests ${gaps.map((gap) => gap.failed).join(', ')}), ` +
          `first success after the kill in a median ${median(gaps.map((gap) => gap.firstSuccessMs))} ms`,
      );
      for (const gap of gaps) expect(gap.firstSuccessMs).toBeLessThan(3_000);
    }
  }, 120_000);
});
