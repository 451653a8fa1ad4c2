import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { bearer, createTestProduct, eventually, testToken, metricSum } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Response-cache hits answered before the runtime (`hits-before-runtime.ts`),
 * through the whole stack: the same bytes the runtime sends for the same hit,
 * and the same rules: another caller, an expired token or a spent budget is
 * never answered from someone's stored answer, and a persisted hash finds only
 * what was stored for it.
 */
const RATE_LIMIT = 25;
let stack: TestStack;
let redis: Redis;
let productId: string;

beforeAll(async () => {
  stack = await startTestStack({
    GATEWAY_RESPONSE_CACHE: 'true',
    GATEWAY_RATE_LIMIT: String(RATE_LIMIT),
    GATEWAY_RATE_LIMIT_REFUSAL_DELAY_MS: '0',
    JWT_CLOCK_SKEW_SECONDS: '0',
  });
  redis = new Redis(stack.redis.url);
  productId = await createTestProduct(stack.gatewayUrl, { sku: 'EARLY-1', name: 'Teapot', amount: 2100, stock: 3 });
  await stack.sql.flushOutbox();
});

afterAll(async () => {
  await redis?.quit();
  await stack?.dispose();
});

const PRODUCT = `query Teapot($id: ID!) { product(id: $id) { id name price { amount } } }`;
const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ query: PRODUCT, variables: { id: productId }, ...extra });

/** A POST as clients send it (a declared length), or chunked, which the early answer leaves to the runtime. */
async function post(payload: string, headers: Record<string, string>, chunked = false) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(chunked
      ? {
          body: new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(payload));
              controller.close();
            },
          }),
          duplex: 'half',
        }
      : { body: payload }),
  } as RequestInit);
  // Every header but those that differ between any two answers.
  const varying = new Set(['date', 'x-request-id']);
  const sent = Object.fromEntries([...response.headers].filter(([name]) => !varying.has(name)));
  return { status: response.status, headers: sent, text: await response.text() };
}

const earlyHits = () => metricSum(stack.metricsUrls.gateway, 'gateway_response_cache_early_hits_total');
const sqlRequests = () =>
  metricSum(stack.metricsUrls.sql, 'http_requests_total', { route: '/graphql', method: 'POST' });
const storedAnswers = async () => (await redis.keys(`${stack.redis.keyPrefix}gateway:{rc}:response:*`)).length;

/** Asks once so the answer is stored, and waits until it is. */
async function stored(payload: string, headers: Record<string, string>) {
  const before = await storedAnswers();
  const first = await post(payload, headers);
  expect(first.status).toBe(200);
  await eventually(async () => (await storedAnswers()) > before, 'the answer is stored');
  return first;
}

describe('response-cache hits answered before the runtime', () => {
  it('sends the status, headers and bytes the runtime sends for the same hit, whatever the client accepts', async () => {
    const headers = bearer(testToken({ sub: randomUUID() }));
    await stored(body(), headers);
    const accepts = [
      undefined,
      '*/*',
      'application/json',
      'application/graphql-response+json',
      'application/graphql-response+json, application/json',
      'application/json, application/graphql-response+json',
      'text/html, application/*',
    ];
    for (const accept of accepts) {
      const asked = accept === undefined ? headers : { ...headers, accept };
      const hits = await earlyHits();
      const early = await post(body(), asked);
      expect(await earlyHits()).toBe(hits + 1);
      const inRuntime = await post(body(), asked, true);
      expect(await earlyHits()).toBe(hits + 1);
      expect({ accept, ...early }).toEqual({ accept, ...inRuntime });
      expect(JSON.parse(early.text)).toEqual({
        data: { product: { id: productId, name: 'Teapot', price: { amount: 2100 } } },
      });
    }
  });

  it("never gives another caller, or no caller, someone's answer", async () => {
    await stored(body(), bearer(testToken({ sub: randomUUID() })));
    for (const headers of [bearer(testToken({ sub: randomUUID() })), {}]) {
      const [hits, calls] = [await earlyHits(), await sqlRequests()];
      expect((await post(body(), headers)).status).toBe(200);
      expect(await earlyHits()).toBe(hits);
      expect(await sqlRequests()).toBe(calls + 1);
    }
  });

  it('refuses a token that expired after its answer was stored, as the runtime does', async () => {
    const headers = bearer(testToken({ sub: randomUUID() }, { expiresInSeconds: 2 }));
    await stored(body(), headers);
    const hits = await earlyHits();
    expect((await post(body(), headers)).status).toBe(200);
    expect(await earlyHits()).toBe(hits + 1);
    const { exp } = JSON.parse(Buffer.from(headers.authorization.split('.')[1]!, 'base64url').toString()) as {
      exp: number;
    };
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 100));
    const refused = await post(body(), headers);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await earlyHits()).toBe(hits + 1);
  });

  it("spends the caller's rate-limit budget, and refuses a hit past it with the runtime's 429", async () => {
    const headers = bearer(testToken({ sub: randomUUID() }));
    await stored(body(), headers);
    const hits = await earlyHits();
    for (let sent = 1; sent < RATE_LIMIT; sent++) expect((await post(body(), headers)).status).toBe(200);
    expect(await earlyHits()).toBe(hits + RATE_LIMIT - 1);
    const refused = await post(body(), headers);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(await earlyHits()).toBe(hits + RATE_LIMIT - 1);
  });

  it('answers a persisted hash from what was stored for that hash, never for the bare text', async () => {
    const headers = bearer(testToken({ sub: randomUUID() }));
    const sha256Hash = createHash('sha256').update(PRODUCT).digest('hex');
    const persisted = { extensions: { persistedQuery: { version: 1, sha256Hash } } };
    await stored(body(persisted), headers);
    const hashOnly = JSON.stringify({ variables: { id: productId }, ...persisted });
    const hits = await earlyHits();
    expect(JSON.parse((await post(hashOnly, headers)).text).data.product.name).toBe('Teapot');
    expect(await earlyHits()).toBe(hits + 1);
    const calls = await sqlRequests();
    expect((await post(body(), headers)).status).toBe(200);
    expect(await sqlRequests()).toBe(calls + 1);
  });
});
