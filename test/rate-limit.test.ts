import { composeSupergraph } from '@polystore/gateway/compose';
import { createGateway } from '@polystore/gateway';
import { bearer, testServiceContext, testToken } from '@polystore/testing';
import { startTestStack, type TestStack } from '@polystore/testing/stack';
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
  it('spends one budget per client across both gateways, then answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (const url of [stack.gatewayUrl, second, stack.gatewayUrl, second, stack.gatewayUrl]) {
      const response = await ask(url);
      await response.text();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const refused = await ask(second);
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
