import { request } from 'node:http';
import { composeSupergraph } from '@polystore/gateway/compose';
import { createGateway, type Gateway } from '@polystore/gateway';
import { bearer, testServiceContext, testToken } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';
import { startPrivateRedis, type PrivateServer } from '@polystore/testing/stores';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

let stack: TestStack;
let second: string;
let closeSecond: () => Promise<void>;

beforeAll(async () => {
  stack = await startTestStack({
    GATEWAY_RATE_LIMIT: '5',
    GATEWAY_RATE_LIMIT_WINDOW_SECONDS: '60',
    GATEWAY_CORS_ORIGINS: 'http://app.example',
  });
  // A second gateway process's worth: its own runtime and Redis connection, the same Redis and prefix.
  const context = testServiceContext(stack.env);
  closeSecond = () => context.teardown.close();
  const gateway = await createGateway({ ...context, supergraph: composeSupergraph(stack.subgraphUrls) });
  second = await gateway.listen(0);
});

afterAll(async () => {
  await closeSecond?.();
  await stack?.dispose();
});

const ask = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
  });

describe('rate limits in Redis, shared by two gateways', () => {
  it('spends one budget per client across both gateways, then answers 429 with Retry-After, held back a second', async () => {
    const statuses: number[] = [];
    for (const url of [stack.gatewayUrl, second, stack.gatewayUrl, second, stack.gatewayUrl]) {
      const response = await ask(url);
      await response.text();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    // A refusal is held back (GATEWAY_RATE_LIMIT_REFUSAL_DELAY_MS, 1 s by default) before it is answered.
    const started = performance.now();
    const refused = await ask(second);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect((await ask(stack.gatewayUrl)).status).toBe(429);
  });

  it('gives a signed-in user a budget of their own', async () => {
    const response = await ask(stack.gatewayUrl, bearer(testToken({ sub: 'rate-user' })));
    expect(response.status).toBe(200);
  });
});

describe('graphql-ws operations spend the same budget', () => {
  /** Runs one operation over the connection; its results (data or errors) until it completes. */
  const run = (client: ReturnType<typeof createClient>) =>
    new Promise<unknown[]>((resolve) => {
      const results: unknown[] = [];
      client.subscribe(
        { query: '{ products(first: 1) { totalCount } }' },
        {
          next: (result) => results.push(result),
          error: (err) => resolve([...results, err]),
          complete: () => resolve(results),
        },
      );
    });

  it('counts each subscribe message against the identity of the connection, HTTP requests included', async () => {
    const token = testToken({ sub: 'ws-rate-user' });
    const client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${token}` },
    });
    try {
      // Five in the budget: three over HTTP, two over the socket.
      for (let i = 0; i < 3; i++) expect((await ask(second, bearer(token))).status).toBe(200);
      for (let i = 0; i < 2; i++) expect(JSON.stringify(await run(client))).toContain('totalCount');
      const refused = JSON.stringify(await run(client));
      expect(refused).toContain('RATE_LIMITED');
      expect(refused).not.toContain('totalCount');
      // And the socket's operations spent the HTTP budget too.
      expect((await ask(stack.gatewayUrl, bearer(token))).status).toBe(429);
    } finally {
      await client.dispose();
    }
  });

  it("counts an anonymous connection's operations against its address (spent by the first test)", async () => {
    const client = createClient({ url: stack.gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket });
    try {
      expect(JSON.stringify(await run(client))).toContain('RATE_LIMITED');
    } finally {
      await client.dispose();
    }
  });
});

/** A POST from a local address of our choosing (127.0.0.x), so a test has an address budget of its own. */
function askFrom(url: string, localAddress: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      localAddress,
      headers: { 'content-type': 'application/json', ...headers },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }));
  });
}

describe('bad tokens spend their address budget', () => {
  it('answers a flood of invalid tokens 401 until the address has spent its budget, then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const token = testToken({ sub: 'flood' }, { secret: 'not-the-gateway-secret-0123456789abcdef' });
      statuses.push((await askFrom(stack.gatewayUrl, '127.0.0.2', bearer(token))).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // The same address without a token has nothing left either.
    expect((await askFrom(second, '127.0.0.2')).status).toBe(429);
  });
});

describe('with Redis down or slow, each gateway applies the limit on its own count', () => {
  let redis: PrivateServer;
  let url: string;
  let close: () => Promise<void>;
  let registry: Gateway['metrics']['registry'];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const context = testServiceContext({ ...stack.env, REDIS_URL: redis.url });
    close = () => context.teardown.close();
    const gateway = await createGateway({ ...context, supergraph: composeSupergraph(stack.subgraphUrls) });
    url = await gateway.listen(0);
    registry = gateway.metrics.registry;
  });

  afterAll(async () => {
    await close?.();
    await redis?.dispose();
  });

  it('refuses the sixth anonymous request of an address while Redis is down, as it would with Redis up', async () => {
    expect((await askFrom(url, '127.0.0.3')).status).toBe(200);
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await askFrom(url, '127.0.0.3')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    // Another address still has its own budget.
    expect((await askFrom(url, '127.0.0.4')).status).toBe(200);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/gateway_rate_limit_local_decisions_total\{identity="anonymous"[^}]*\} [1-9]/);
  });
});

describe('an anonymous budget is not spent in one burst', () => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    // The default budget, 600 a minute: at most 20 a second for an address.
    const context = testServiceContext({
      ...stack.env,
      GATEWAY_RATE_LIMIT: '600',
      REDIS_KEY_PREFIX: `${stack.env.REDIS_KEY_PREFIX}burst:`,
    });
    close = () => context.teardown.close();
    const gateway = await createGateway({ ...context, supergraph: composeSupergraph(stack.subgraphUrls) });
    url = await gateway.listen(0);
  });

  afterAll(async () => {
    await close?.();
  });

  it("refuses an address's burst long before its minute's budget, and lets a signed-in user go on", async () => {
    let answered = 0;
    let refusal: { status: number; body: string } | undefined;
    for (let i = 0; i < 200 && !refusal; i++) {
      const response = await askFrom(url, '127.0.0.7');
      if (response.status === 429) refusal = response;
      else answered++;
    }
    expect(refusal?.body).toMatch(/20 requests per second/);
    // Twenty a second, and a request or two more where the count crossed into a new second.
    expect(answered).toBeGreaterThanOrEqual(20);
    expect(answered).toBeLessThan(100);
    const token = testToken({ sub: 'burst-user' });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await askFrom(url, '127.0.0.7', bearer(token))).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
  });
});

describe('CORS from config', () => {
  const preflight = (origin: string) =>
    fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('allows the configured origin and no other', async () => {
    const allowed = await preflight('http://app.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.example');
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('*');
  });
});
