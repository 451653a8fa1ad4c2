import { createServer, request as httpRequest, type Server } from 'node:http';
import { createGateway } from '@polystore/gateway';
import { composeSupergraph } from '@polystore/gateway/compose';
import { testServiceContext } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * One request id per request: the client's `x-request-id` (or a new one) is
 * answered back and carried to every subgraph the request reaches. A proxy
 * in front of the sql-subgraph records what arrives.
 */
let stack: TestStack;
let proxy: Server;
let gatewayUrl: string;
let close: () => Promise<void>;
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  const target = new URL(stack.subgraphUrls.sql);
  proxy = createServer((req, res) => {
    seen.push(req.headers['x-request-id'] as string | undefined);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  const viaProxy = `http://127.0.0.1:${port}/graphql`;
  const context = testServiceContext({ ...stack.env, SQL_SUBGRAPH_URL: viaProxy });
  const gateway = await createGateway({
    ...context,
    supergraph: composeSupergraph({ ...stack.subgraphUrls, sql: viaProxy }),
  });
  gatewayUrl = await gateway.listen(0);
  close = () => context.teardown.close();
});

afterAll(async () => {
  await close?.();
  await new Promise((resolve) => proxy?.close(resolve));
  await stack?.dispose();
});

async function ask(headers: Record<string, string> = {}) {
  seen.length = 0;
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
  });
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get('x-request-id');
}

describe('request ids', () => {
  it("keeps the client's id, answers it, and carries it to the subgraph", async () => {
    expect(await ask({ 'x-request-id': 'checkout-7f3a.1' })).toBe('checkout-7f3a.1');
    expect(seen).toEqual(['checkout-7f3a.1']);
  });

  it('makes one up when the client sends none, the same for the answer and the subgraph', async () => {
    const id = await ask();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen).toEqual([id]);
  });

  it('replaces an id that could forge log lines', async () => {
    const id = await ask({ 'x-request-id': 'x"}{"level":60' });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen).toEqual([id]);
  });
});
