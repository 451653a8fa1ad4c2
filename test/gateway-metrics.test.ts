import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { asAdmin, bearer, eventually, graphqlRequest, testToken } from '@polystore/testing';
import { startTestStack, type TestStack } from '@polystore/testing/stack';

/**
 * What operators read on `/metrics` beyond requests and latencies: the
 * gateway's response-cache hits and misses per operation, its rate-limit
 * refusals, and each subgraph's entity-cache hits and misses per type.
 */
let stack: TestStack;
let redis: Redis;
let productId: string;

beforeAll(async () => {
  stack = await startTestStack({ GATEWAY_RESPONSE_CACHE: 'true', GATEWAY_RATE_LIMIT: '3' });
  redis = new Redis(stack.redis.url);
  const created = await graphqlRequest(
    stack.gatewayUrl,
    `mutation { createProduct(input: { sku: "METRICS-1", name: "Lamp", price: { amount: 900, currency: "EUR" }, stock: 2 }) { id } }`,
    {},
    { headers: asAdmin() },
  );
  productId = created.data!.createProduct.id;
  await stack.sql.flushOutbox();
});

afterAll(async () => {
  await redis?.quit();
  await stack?.dispose();
});

/** The value of one sample on a `/metrics` page (0 when absent), matched by name and labels. */
async function sample(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const page = await (await fetch(new URL('/metrics', url))).text();
  const line = page
    .split('\n')
    .find(
      (row) =>
        row.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => row.includes(`${key}="${value}"`)),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const PRODUCT = `query ProductPage($id: ID!) { product(id: $id) { id name } }`;
// Signed in: each test user has a rate-limit budget of their own (3 requests).
const readAs = (user: string) =>
  graphqlRequest(stack.gatewayUrl, PRODUCT, { id: productId }, { headers: bearer(testToken({ sub: user })) });

describe('gateway metrics', () => {
  it('counts response-cache misses and hits per operation name', async () => {
    const lookups = (result: string) =>
      sample(stack.gatewayUrl, 'gateway_response_cache_lookups_total', { operationName: 'ProductPage', result });
    const [missesBefore, hitsBefore] = [await lookups('miss'), await lookups('hit')];
    const user = randomUUID();
    const responses = `${stack.redis.keyPrefix}gateway:rc:entity:Product:${productId}`;
    const storedBefore = await redis.scard(responses);
    expect((await readAs(user)).errors).toBeUndefined();
    expect(await lookups('miss')).toBe(missesBefore + 1);
    // The answer is stored after the response is sent: wait until it is, then ask again.
    await eventually(async () => (await redis.scard(responses)) > storedBefore, 'the answer is cached');
    expect((await readAs(user)).errors).toBeUndefined();
    expect(await lookups('hit')).toBe(hitsBefore + 1);
    expect(await lookups('miss')).toBe(missesBefore + 1);
  });

  it('counts rate-limit refusals by identity kind', async () => {
    const refusals = () => sample(stack.gatewayUrl, 'gateway_rate_limit_refusals_total', { identity: 'anonymous' });
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

describe('subgraph entity-cache metrics', () => {
  it('counts misses and hits of the Redis cache behind the loaders, per type', async () => {
    const lookups = (result: string) =>
      sample(stack.subgraphUrls.sql, 'entity_cache_lookups_total', { type: 'Product', result });
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
