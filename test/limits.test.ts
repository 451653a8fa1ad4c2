/**
 * A hostile corpus against the gateway: every case is answered with a 4xx or a
 * GraphQL error with a code, and none reaches a subgraph (requests counted on
 * the subgraphs' own HTTP servers). No timings are asserted here (they are
 * flaky on shared machines); see docs/security.md for measured figures.
 */
import { request, type IncomingMessage } from 'node:http';
import { asAdmin, bearer, testToken } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

let stack: TestStack;
let subgraphRequests = 0;
const count = (req: IncomingMessage) => {
  if (req.url?.startsWith('/graphql')) subgraphRequests++;
};

beforeAll(async () => {
  stack = await startTestStack({ GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3' });
  for (const subgraph of [stack.sql, stack.mongo, stack.storage]) subgraph.httpServer.on('request', count);
});

afterAll(async () => {
  await stack?.dispose();
});

const repeat = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i)).join(' ');
const nested = (depth: number): string =>
  depth === 0 ? 'id' : `orders(first: 1) { edges { node { user { ${nested(depth - 1)} } } } }`;

const corpus: [string, () => string | object][] = [
  [
    'an alias bomb (5,000 aliases)',
    () => ({ query: `{ ${repeat(5_000, (i) => `a${i}: products(first: 1) { totalCount }`)} }` }),
  ],
  [
    'field duplication (20,000 times one field)',
    () => ({ query: `{ products(first: 1) { ${repeat(20_000, () => 'totalCount')} } }` }),
  ],
  [
    '40 aliases (over the alias limit, under the token limit)',
    () => ({ query: `{ ${repeat(40, (i) => `a${i}: products(first: 1) { totalCount }`)} }` }),
  ],
  ['a fragment cycle', () => ({ query: 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }' })],
  [
    'deep nesting (depth 40)',
    () => ({ query: `{ user(id: "00000000-0000-4000-8000-000000000001") { ${nested(10)} } }` }),
  ],
  [
    '50 directives',
    () => ({ query: `{ products(first: 1) ${repeat(50, () => '@include(if: true)')} { totalCount } }` }),
  ],
  [
    'huge variables (2 MB)',
    () => ({
      query: 'query ($v: String) { products(first: 1) { totalCount } }',
      variables: { v: 'x'.repeat(2_000_000) },
    }),
  ],
  [
    'a batch of 1,000 operations',
    () => Array.from({ length: 1_000 }, () => ({ query: '{ products(first: 1) { totalCount } }' })),
  ],
  ['a body that is not JSON', () => '{"query": '],
  ['an unknown field (no suggestion leaks past the limits)', () => ({ query: '{ prodcts { id } }' })],
];

describe('hostile operations are refused before any subgraph is called', () => {
  it.each(corpus)('%s', async (_name, make) => {
    const body = make();
    const before = subgraphRequests;
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.status).toBeLessThan(500);
    if (response.status < 400) {
      const result = JSON.parse(text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.length).toBeGreaterThan(0);
      for (const error of result.errors!) expect(typeof error.extensions?.code).toBe('string');
    }
    expect(text).not.toMatch(/\n\s+at /); // no stack trace
    expect(subgraphRequests).toBe(before);
  });

  it('still answers an ordinary query (and that one reaches the subgraphs)', async () => {
    const before = subgraphRequests;
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ products(first: 5) { totalCount edges { node { sku details { category } } } } }',
      }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(subgraphRequests).toBeGreaterThan(before);
  });
});

/**
 * POSTs a body without Content-Length (chunked), piece by piece, and stops sending once
 * the answer arrives. Bounded: at most `pieces` writes; an error after the answer (the
 * server closing a connection it refused) is expected and ignored.
 */
function postChunked(url: string, piece: string, pieces: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    void (async () => {
      for (let i = 0; i < pieces && !answered && !req.destroyed; i++) {
        req.write(piece);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

describe('request body size without Content-Length (chunked)', () => {
  it('refuses a chunked body that grows past GATEWAY_MAX_BODY_BYTES with 413 and a code, before any subgraph request', async () => {
    const before = subgraphRequests;
    // A JSON document that never ends: 64 pieces of 16 KiB (1 MiB) of padding, against a 100 KiB limit.
    const { status, body } = await postChunked(stack.gatewayUrl, ' '.repeat(16 * 1024), 64);
    expect(status).toBe(413);
    expect((JSON.parse(body) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'BAD_REQUEST',
    );
    expect(subgraphRequests).toBe(before);
  });

  it('answers a chunked body within the limit', async () => {
    const query = JSON.stringify({ query: '{ products(first: 1) { totalCount } }' });
    const { status, body } = await postChunked(stack.gatewayUrl, query, 1);
    expect(status).toBe(200);
    expect((JSON.parse(body) as { errors?: unknown }).errors).toBeUndefined();
  });
});

describe('estimated cost, with list sizes from first', () => {
  // Users, each with their orders, each with its items: every level is a list of `first` entries.
  const usersOrdersItems = (first: number) =>
    `{ users(first: ${first}) { edges { node { id orders(first: ${first}) { edges { node { id items { quantity product { name } } } } } } } } }`;
  const ask = async (query: string, headers: Record<string, string> = asAdmin()) => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        data?: unknown;
        errors?: { message: string; extensions?: { code?: string; cost?: { estimated: number; max: number } } }[];
      },
    };
  };

  it('refuses a nested query with large first values with a code, before any subgraph request', async () => {
    const before = subgraphRequests;
    const { status, body } = await ask(usersOrdersItems(100));
    expect(status).toBeLessThan(500);
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect(subgraphRequests).toBe(before);
  });

  it('answers the same shape with small first values', async () => {
    const before = subgraphRequests;
    const { status, body } = await ask(usersOrdersItems(3));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(subgraphRequests).toBeGreaterThan(before);
  });

  it('counts a default page size (first omitted) too', async () => {
    const before = subgraphRequests;
    const { body } = await ask(
      '{ users { edges { node { orders { edges { node { items { product { name } } history { to } } } } } } } }',
    );
    // 20 users x 20 orders x (10 items + 10 history rows), at the default list size of 10.
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect(subgraphRequests).toBe(before);
  });

  // A page of 50 products from three stores, with ten reviews each and their authors: about 2,250.
  const productPage =
    '{ products(first: 50) { edges { node { name details { description } reviews(first: 10) { edges { node { title author { name } } } } images { url } } } } }';

  it('gives a client without a token a smaller budget, and says that signing in raises it', async () => {
    const before = subgraphRequests;
    const { status, body } = await ask(productPage, {});
    expect(status).toBe(400);
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect(body.errors?.[0]?.extensions?.cost).toEqual({ estimated: 2201, max: 1000 });
    expect(body.errors?.[0]?.message).toMatch(/GATEWAY_MAX_COST_ANONYMOUS.*sign in/);
    expect(subgraphRequests).toBe(before);
  });

  it('answers the same page to a signed-in user (GATEWAY_MAX_COST), and a smaller one without a token', async () => {
    const user = await ask(productPage, bearer(testToken({ sub: '00000000-0000-4000-8000-000000000001' })));
    expect(user.status).toBe(200);
    expect(user.body.errors).toBeUndefined();
    // Without the reviews' authors: three subgraph requests, within GATEWAY_MAX_FETCHES_ANONYMOUS.
    const anonymous = await ask(productPage.replace('first: 50', 'first: 10').replace(' author { name }', ''), {});
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.errors).toBeUndefined();
  });

  it('refuses an anonymous operation whose plan needs more subgraph requests than its budget, before any', async () => {
    // Products (SQL); reviews (MongoDB) and images (S3); the reviews' authors (SQL): four requests in three steps.
    const withAuthors = productPage.replace('first: 50', 'first: 2');
    const before = subgraphRequests;
    const { status, body } = await ask(withAuthors, {});
    expect(status).toBe(400);
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect(body.errors?.[0]?.extensions).toMatchObject({ fetches: { estimated: 4, max: 3 } });
    expect(body.errors?.[0]?.message).toMatch(/GATEWAY_MAX_FETCHES_ANONYMOUS.*sign in/);
    expect(subgraphRequests).toBe(before);
    const user = await ask(withAuthors, bearer(testToken({ sub: '00000000-0000-4000-8000-000000000001' })));
    expect(user.status).toBe(200);
    expect(user.body.errors).toBeUndefined();
  });

  it('refuses an anonymous operation that selects more fields than its budget, before any subgraph request', async () => {
    // Seven aliases of ten fields each: 70, over the 60 of GATEWAY_MAX_FIELDS_ANONYMOUS (200 signed in).
    const wide = `{ ${Array.from({ length: 7 }, (_, i) => `p${i}: products(first: 1) { edges { node { sku name price { amount currency } stock salesCount } } }`).join(' ')} }`;
    const before = subgraphRequests;
    const { status, body } = await ask(wide, {});
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'COST_ESTIMATED_TOO_EXPENSIVE',
      fields: { selected: 70, max: 60 },
    });
    expect(body.errors?.[0]?.message).toMatch(/GATEWAY_MAX_FIELDS_ANONYMOUS.*sign in/);
    expect(subgraphRequests).toBe(before);
    const user = await ask(wide, bearer(testToken({ sub: '00000000-0000-4000-8000-000000000001' })));
    expect(user.status).toBe(200);
    expect(user.body.errors).toBeUndefined();
  });
});

describe('transport', () => {
  it('refuses a GET without the CSRF header (403 FORBIDDEN), answers one with it', async () => {
    const url = `${stack.gatewayUrl}?query=${encodeURIComponent('{ products(first: 1) { totalCount } }')}`;
    const before = subgraphRequests;
    const bare = await fetch(url, { headers: { accept: 'application/json' } });
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'FORBIDDEN',
    );
    expect(subgraphRequests).toBe(before);
    const withHeader = await fetch(url, { headers: { accept: 'application/json', 'x-graphql-csrf': '1' } });
    expect(withHeader.status).toBe(200);
  });

  it('never runs a mutation over GET', async () => {
    const mutation = 'mutation { createUser(input: { email: "get@csrf.test", name: "GET" }) { id } }';
    const before = subgraphRequests;
    const response = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent(mutation)}`, {
      headers: { accept: 'application/json', 'x-graphql-csrf': '1' },
    });
    expect(response.status).toBe(405);
    expect(subgraphRequests).toBe(before);
  });

  it('refuses a form POST without the CSRF header', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B%20products(first%3A%201)%20%7B%20totalCount%20%7D%20%7D',
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('CORS by default', () => {
  it('answers no cross-origin preflight when no origin is configured', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('subscriptions per connection', () => {
  it('refuses a subscription beyond the bound on one connection, and keeps the others', async () => {
    const client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
    });
    const errors: unknown[][] = [0, 1, 2, 3].map(() => []);
    const stops = [0, 1, 2, 3].map((i) =>
      client.subscribe(
        { query: 'subscription { inventoryChanged { id stock } }' },
        { next: () => undefined, error: (err) => errors[i]!.push(err), complete: () => undefined },
      ),
    );
    const deadline = Date.now() + 5_000;
    while (errors[3]!.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors.slice(0, 3).every((list) => list.length === 0)).toBe(true);
    expect(JSON.stringify(errors[3])).toContain('BAD_REQUEST');
    for (const stop of stops) stop();
    await client.dispose();
  });
});
