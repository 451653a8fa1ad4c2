import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createLogger, serveMetrics, type Env } from '@polystore/common';
import { createGateway } from '@polystore/gateway';
import { composeSupergraph } from '@polystore/gateway/compose';
import {
  bearer,
  consumerGroupCaughtUp,
  createTestProduct,
  eventually,
  graphqlRequest,
  testServiceContext,
  testToken,
  metricSum,
} from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';
import { createPersistedQueryStore, operationHash } from '../gateway/src/plugins/persisted-queries/redis-store.js';

/**
 * What operators read on `/metrics` (each service's own listener) beyond
 * requests and latencies: the gateway's response-cache hits and misses per
 * operation, its rate-limit refusals, and each subgraph's entity-cache hits
 * and misses per type; and that no client can grow it: operation names are
 * labels only for operations the gateway knows (the allow-list).
 */
let stack: TestStack;
let redis: Redis;
let productId: string;
/** More gateways on the stack's subgraphs and Redis: one open to any operation, one running only the allow-list. */
let open: ExtraGateway;
let allowList: ExtraGateway;

interface ExtraGateway {
  url: string;
  metricsUrl: string;
  close(): Promise<void>;
}

async function extraGateway(env: Env): Promise<ExtraGateway> {
  // Budgets of their own: these gateways are not the ones the rate-limit test measures.
  const context = testServiceContext({ ...stack.env, GATEWAY_RATE_LIMIT: '100000', ...env });
  try {
    const gateway = await createGateway({ ...context, supergraph: composeSupergraph(stack.subgraphUrls) });
    const url = await gateway.listen(0);
    const metricsUrl = await serveMetrics(
      gateway.metrics,
      { host: '127.0.0.1', port: 0 },
      context.teardown,
      context.log,
    );
    return { url, metricsUrl, close: () => context.teardown.close() };
  } catch (err) {
    await context.teardown.close();
    throw err;
  }
}

beforeAll(async () => {
  stack = await startTestStack({ GATEWAY_RESPONSE_CACHE: 'true', GATEWAY_RATE_LIMIT: '3' });
  redis = new Redis(stack.redis.url);
  open = await extraGateway({});
  allowList = await extraGateway({ GATEWAY_PERSISTED_QUERIES: 'allow-list' });
  productId = await createTestProduct(stack.gatewayUrl, { sku: 'METRICS-1', name: 'Lamp', amount: 900, stock: 2 });
  await stack.sql.flushOutbox();
  // Its creation's invalidation must not overtake the first answer the cache test stores.
  await eventually(
    () => consumerGroupCaughtUp(redis, stack.redis.keyPrefix, 'gateway-response-cache'),
    'the gateways read the event stream',
  );
});

afterAll(async () => {
  await allowList?.close();
  await open?.close();
  await redis?.quit();
  await stack?.dispose();
});

const PRODUCT = `query ProductPage($id: ID!) { product(id: $id) { id name } }`;
// Signed in: each test user has a rate-limit budget of their own (3 requests).
const readAs = (user: string) =>
  graphqlRequest(stack.gatewayUrl, PRODUCT, { id: productId }, { headers: bearer(testToken({ sub: user })) });

/**
 * The allow-listed ProductPage by its hash, as a client of the allow-list gateway sends it,
 * with `token` (one per user: answers are cached per token).
 */
async function readPersistedAs(token: string, operationName?: string) {
  const response = await fetch(allowList.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({
      operationName,
      variables: { id: productId },
      extensions: { persistedQuery: { version: 1, sha256Hash: operationHash(PRODUCT) } },
    }),
  });
  return (await response.json()) as { data?: { product: { name: string } }; errors?: unknown[] };
}

describe('gateway metrics', () => {
  beforeAll(async () => {
    const store = createPersistedQueryStore(redis, stack.redis.keyPrefix, 0, createLogger('test', 'silent'));
    await store.set(operationHash(PRODUCT), PRODUCT);
  });

  it('counts response-cache misses and hits per operation name, for operations on the allow-list', async () => {
    const lookups = (result: string) =>
      metricSum(allowList.metricsUrl, 'gateway_response_cache_lookups_total', { operationName: 'ProductPage', result });
    const [missesBefore, hitsBefore] = [await lookups('miss'), await lookups('hit')];
    const token = testToken({ sub: randomUUID() });
    const responses = `${stack.redis.keyPrefix}gateway:{rc}:entity:Product:${productId}`;
    const storedBefore = await redis.scard(responses);
    expect((await readPersistedAs(token)).errors).toBeUndefined();
    expect(await lookups('miss')).toBe(missesBefore + 1);
    // The answer is stored after the response is sent: wait until it is, then ask again.
    await eventually(async () => (await redis.scard(responses)) > storedBefore, 'the answer is cached');
    expect((await readPersistedAs(token)).errors).toBeUndefined();
    expect(await lookups('hit')).toBe(hitsBefore + 1);
    expect(await lookups('miss')).toBe(missesBefore + 1);
  });

  it('counts rate-limit refusals by identity kind', async () => {
    const refusals = () =>
      metricSum(stack.metricsUrls.gateway, 'gateway_rate_limit_refusals_total', { identity: 'anonymous' });
    const before = await refusals();
    const statuses: number[] = [];
    for (let request = 0; request < 4; request++) {
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
      });
      await response.text();
      statuses.push(response.status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(await refusals()).toBe(before + statuses.filter((status) => status === 429).length);
  });
});

/**
 * A `/metrics` page's series (sample lines) other than Node's own (a first garbage
 * collection of a new kind adds its series whenever it happens), and the page's size in bytes.
 */
async function page(metricsUrl: string): Promise<{ series: string[]; bytes: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const series = text.split('\n').filter((line) => line && !line.startsWith('#') && !line.startsWith('nodejs_'));
  return { series, bytes: text.length };
}

/** The series' names and labels, without their values. */
const labelSets = (series: string[]) => new Set(series.map((line) => line.slice(0, line.lastIndexOf(' '))));

describe('bounded metrics', () => {
  const FRESH = 3_000;
  // 200 characters each, never seen before, under fresh aliases; some fail, some reach a subgraph.
  const freshOperation = (index: number) => {
    const name = `Probe_${index}_${'x'.repeat(200)}`.slice(0, 200);
    if (index % 10 === 0) return `query ${name} { a${index}: product(id: "not an id ${index}") { id } }`;
    if (index % 10 === 1) return `query ${name} { a${index}: products(first: 1) { totalCount } }`;
    return `query ${name} { a${index}: __typename }`;
  };

  it('gives client-chosen operation names one label value: thousands of fresh names add no series', async () => {
    const send = async (index: number) => {
      const response = await fetch(open.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: freshOperation(index) }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { errors?: { path?: string[] }[] };
    };
    // Every kind of request once, so that every series the probe can make exists.
    expect((await send(0)).errors?.[0]?.path).toEqual(['a0']);
    await send(1);
    const before = await page(open.metricsUrl);
    // Bounded: FRESH requests, 8 at a time.
    for (let start = 2; start < FRESH; start += 8) {
      await Promise.all(Array.from({ length: Math.min(8, FRESH - start) }, (_, offset) => send(start + offset)));
    }
    const after = await page(open.metricsUrl);
    expect([...labelSets(after.series)].filter((series) => !labelSets(before.series).has(series))).toEqual([]);
    expect(after.series.length).toBe(before.series.length);
    // Only counts grew (a few digits each, and Node's GC series), never names.
    expect(after.bytes).toBeLessThan(before.bytes + 4_000);
    expect(after.series.some((line) => line.includes('Probe_'))).toBe(false);
    expect(after.series).toContainEqual(
      expect.stringMatching(/^graphql_envelop_request_duration_count\{[^}]*operationName="other"/),
    );
    expect(after.series).toContainEqual(
      expect.stringMatching(/^graphql_gateway_subgraph_execute_duration_count\{[^}]*operationName="other"/),
    );
  }, 300_000);

  it('names operations on the allow-list, and only by a name their document defines', async () => {
    const requests = (operationName: string) =>
      metricSum(allowList.metricsUrl, 'graphql_envelop_request', { operationName, operationType: 'query' });
    const before = await requests('ProductPage');
    expect((await readPersistedAs(testToken({ sub: randomUUID() }))).errors).toBeUndefined();
    expect(await requests('ProductPage')).toBe(before + 1);
    // A name the registered document does not define runs nothing and labels nothing.
    await readPersistedAs(testToken({ sub: randomUUID() }), 'Probe_not_in_the_document');
    const { series } = await page(allowList.metricsUrl);
    expect(series.some((line) => line.includes('Probe_'))).toBe(false);
  });
});

describe('subgraph entity-cache metrics', () => {
  it('counts misses and hits of the Redis cache behind the loaders, per type', async () => {
    const lookups = (result: string) =>
      metricSum(stack.metricsUrls.sql, 'entity_cache_lookups_total', { type: 'Product', result });
    // Not cached yet: the first read misses and fills the cache; the next request finds it there.
    await redis.del(`${stack.redis.keyPrefix}sql:Product:${productId}`);
    const [missesBefore, hitsBefore] = [await lookups('miss'), await lookups('hit')];
    // Different users, so the gateway's response cache does not answer for the subgraph.
    expect((await readAs(randomUUID())).data!.product.name).toBe('Lamp');
    expect(await lookups('miss')).toBe(missesBefore + 1);
    expect((await readAs(randomUUID())).data!.product.name).toBe('Lamp');
    expect(await lookups('hit')).toBe(hitsBefore + 1);
  });
});
