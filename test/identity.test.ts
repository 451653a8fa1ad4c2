import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { signedExtensions } from '@polystore/common';
import { bearer, errorCodes, graphqlRequest, TEST_AUTH_ENV, testToken } from '@polystore/testing';
import { startTestStack, type TestStack } from '@polystore/testing/stack';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.dispose();
});

const PUBLIC_READ = '{ products(first: 1) { totalCount } }';

/** POSTs a query to the gateway with an Authorization header; status and body. */
async function withAuthorization(authorization: string) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query: PUBLIC_READ }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] },
  };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('tokens at the gateway', () => {
  it('answers public reads without a token, and with a valid one', async () => {
    expect((await graphqlRequest(stack.gatewayUrl, PUBLIC_READ)).errors).toBeUndefined();
    const withToken = await graphqlRequest(
      stack.gatewayUrl,
      PUBLIC_READ,
      {},
      { headers: bearer(testToken({ sub: 'u' })) },
    );
    expect(withToken.errors).toBeUndefined();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refused: [string, () => string][] = [
    ['forged (another secret)', () => testToken({ sub: 'u' }, { secret: 'another-secret-0123456789abcdef0123456789' })],
    ['expired (beyond the clock skew)', () => testToken({ sub: 'u' }, { expiresInSeconds: -120 })],
    ['from another issuer', () => testToken({ sub: 'u' }, { issuer: 'someone-else' })],
    ['for another audience', () => testToken({ sub: 'u' }, { audience: 'another-api' })],
    [
      'alg: none',
      () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'u', scope: 'admin', iss: TEST_AUTH_ENV.JWT_ISSUER, aud: TEST_AUTH_ENV.JWT_AUDIENCE, exp: now() + 600 })}.`,
    ],
    [
      'HS256 with its payload changed',
      () => {
        const [header, , signature] = testToken({ sub: 'u' }).split('.');
        return `${header}.${b64({ sub: 'u', scope: 'admin', iss: TEST_AUTH_ENV.JWT_ISSUER, aud: TEST_AUTH_ENV.JWT_AUDIENCE, exp: now() + 600 })}.${signature}`;
      },
    ],
    ['not a JWT', () => 'garbage'],
  ];
  it.each(refused)('refuses a token %s with 401 UNAUTHENTICATED', async (_name, token) => {
    const { status, body } = await withAuthorization(`Bearer ${token()}`);
    expect(status).toBe(401);
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const { status, body } = await withAuthorization('Basic dXNlcjpwYXNz');
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('accepts a token expired within the clock skew', async () => {
    const { status } = await withAuthorization(`Bearer ${testToken({ sub: 'u' }, { expiresInSeconds: -5 })}`);
    expect(status).toBe(200);
  });
});

describe('token lifetime (JWT_MAX_LIFETIME_SECONDS, default 24 h)', () => {
  /** An HS256 token with exactly these claims (testToken always sets iat and exp). */
  const signed = (claims: Record<string, unknown>) => {
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: TEST_AUTH_ENV.JWT_ISSUER, aud: TEST_AUTH_ENV.JWT_AUDIENCE, sub: 'u', ...claims })}`;
    return `${head}.${createHmac('sha256', TEST_AUTH_ENV.JWT_SECRET).update(head).digest('base64url')}`;
  };
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['without exp (it would never expire)', () => signed({ iat: now() }), /must expire/],
    ['living 48 h (exp − iat)', () => signed({ iat: now(), exp: now() + 48 * 3600 }), /at most 86400 s/],
    ['without iat, expiring in 48 h', () => signed({ exp: now() + 48 * 3600 }), /at most 86400 s/],
    [
      'issued long ago for 30 days, still unexpired',
      () => signed({ iat: now() - 29 * 86_400, exp: now() + 86_400 }),
      /at most/,
    ],
  ])('refuses a token %s with 401 UNAUTHENTICATED and says why', async (_name, token, reason) => {
    const { status, body } = await withAuthorization(`Bearer ${token()}`);
    expect(status).toBe(401);
    const errors = body.errors as { message: string; extensions?: { code?: string } }[];
    expect(errors.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(errors[0]!.message).toMatch(reason);
  });

  it('accepts the 12 h development tokens `npm start` prints, and a day-long one without iat', async () => {
    expect((await withAuthorization(`Bearer ${testToken({ sub: 'u' }, { expiresInSeconds: 12 * 3600 })}`)).status).toBe(
      200,
    );
    expect((await withAuthorization(`Bearer ${signed({ exp: now() + 23 * 3600 })}`)).status).toBe(200);
  });

  it('refuses a too-long-lived token over graphql-ws too', async () => {
    const client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${signed({ iat: now() })}` },
      retryAttempts: 0,
    });
    try {
      const outcome = await new Promise<string>((resolve) => {
        client.subscribe(
          { query: PUBLIC_READ },
          {
            next: (result) => resolve(JSON.stringify(result)),
            error: (err) => resolve(JSON.stringify(err)),
            complete: () => resolve('complete'),
          },
        );
      });
      expect(outcome).toContain('UNAUTHENTICATED');
      expect(outcome).not.toContain('totalCount');
    } finally {
      await client.dispose();
    }
  });
});

describe('subgraphs answer only the gateway', () => {
  const query = '{ _service { sdl } }';
  it.each(['sql', 'mongo', 'storage'] as const)('the %s subgraph refuses a direct unsigned call', async (name) => {
    const response = await fetch(stack.subgraphUrls[name], {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(401);
    expect(errorCodes((await response.json()) as never)).toEqual(['UNAUTHENTICATED']);
  });

  it.each(['sql', 'mongo', 'storage'] as const)(
    'the %s subgraph refuses a GET, even one carrying a validly signed body, and runs nothing from its URL',
    async (name) => {
      const url = stack.subgraphUrls[name];
      const signed = JSON.stringify({
        query,
        extensions: signedExtensions(TEST_AUTH_ENV.SUBGRAPH_SIGNING_SECRET, { query }),
      });
      const other = '{ __typename }';
      // fetch cannot send a body with GET; an attacker's client can.
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          `${url}?query=${encodeURIComponent(other)}`,
          {
            method: 'GET',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(signed) },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, text }));
          },
        );
        req.on('error', reject);
        req.end(signed);
      });
      expect(answer.status).toBe(405);
      expect(JSON.parse(answer.text)).toEqual({
        errors: [expect.objectContaining({ extensions: { code: 'METHOD_NOT_ALLOWED' } })],
      });
    },
  );

  it('refuses a forged signature, and claims changed after signing', async () => {
    const url = stack.subgraphUrls.sql;

    const forged = createHmac('sha256', 'not-the-secret').update(query).digest('base64');
    const post = (body: object) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ query, extensions: { 'hmac-signature': forged } })).status).toBe(401);

    const secret = TEST_AUTH_ENV.SUBGRAPH_SIGNING_SECRET;
    const signed = signedExtensions(secret, { query, extensions: { jwt: { payload: { sub: 'u1' } } } });
    expect((await post({ query, extensions: signed })).status).toBe(200);
    const escalated = { ...signed, jwt: { payload: { sub: 'u1', scope: 'admin' } } };
    expect((await post({ query, extensions: escalated })).status).toBe(401);
  });

  describe('replayed signatures', () => {
    const post = (url: string, extensions: Record<string, unknown>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, extensions }),
      });
    const secret = TEST_AUTH_ENV.SUBGRAPH_SIGNING_SECRET;

    it.each(['sql', 'mongo', 'storage'] as const)(
      'the %s subgraph refuses a signature older than its window, and answers a fresh one',
      async (name) => {
        const url = stack.subgraphUrls[name];
        // Signed ten minutes ago (the window is SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS, 60 by default).
        const old = signedExtensions(secret, { query }, Date.now() - 10 * 60_000);
        const refused = await post(url, old);
        expect(refused.status).toBe(401);
        expect(errorCodes((await refused.json()) as never)).toEqual(['UNAUTHENTICATED']);
        expect((await post(url, signedExtensions(secret, { query }))).status).toBe(200);
      },
    );

    it('refuses a signing time changed after signing, and a signature without one', async () => {
      const url = stack.subgraphUrls.sql;
      const fresh = signedExtensions(secret, { query });
      expect((await post(url, { ...fresh, 'signed-at': (fresh['signed-at'] as number) + 1 })).status).toBe(401);
      const { 'signed-at': _dropped, ...untimed } = fresh;
      expect((await post(url, untimed)).status).toBe(401);
    });
  });
});

describe('authorization in the schema, at the gateway', () => {
  const CREATE = `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id sku } }`;
  const input = (sku: string) => ({ sku, name: 'Locked', price: { amount: 100, currency: 'EUR' }, stock: 1 });
  const countProducts = async () =>
    (await graphqlRequest(stack.gatewayUrl, PUBLIC_READ)).data!.products.totalCount as number;

  it('refuses a catalog change without a token (UNAUTHENTICATED) or without the admin scope (FORBIDDEN), and changes nothing', async () => {
    const before = await countProducts();
    const anonymous = await graphqlRequest(stack.gatewayUrl, CREATE, { input: input('LOCK-1') });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const user = await graphqlRequest(
      stack.gatewayUrl,
      CREATE,
      { input: input('LOCK-2') },
      { headers: bearer(testToken({ sub: 'u' })) },
    );
    expect(errorCodes(user)).toEqual(['FORBIDDEN']);
    expect(await countProducts()).toBe(before);
    const admin = await graphqlRequest(
      stack.gatewayUrl,
      CREATE,
      { input: input('LOCK-3') },
      { headers: bearer(testToken({ sub: 'u', scope: 'admin' })) },
    );
    expect(admin.errors).toBeUndefined();
    expect(await countProducts()).toBe(before + 1);
  });

  it('refuses placing an order without a token', async () => {
    const result = await graphqlRequest(
      stack.gatewayUrl,
      `mutation { placeOrder(input: { userId: "00000000-0000-4000-8000-000000000001", items: [] }) { id } }`,
    );
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('ownership, checked by the owning subgraph from the forwarded claims', () => {
  const admin = { headers: bearer(testToken({ sub: '00000000-0000-4000-8000-000000000000', scope: 'admin' })) };
  const as = (sub: string) => ({ headers: bearer(testToken({ sub })) });
  let alice: string;
  let bob: string;
  let productId: string;
  let bobsOrder: string;

  beforeAll(async () => {
    const user = async (email: string) =>
      (
        await graphqlRequest(
          stack.gatewayUrl,
          `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
          { input: { email, name: email } },
          admin,
        )
      ).data!.createUser.id as string;
    [alice, bob] = [await user('alice@owners.test'), await user('bob@owners.test')];
    productId = (
      await graphqlRequest(
        stack.gatewayUrl,
        `mutation { createProduct(input: { sku: "OWN-1", name: "Owned", price: { amount: 100, currency: "EUR" }, stock: 50 }) { id } }`,
        {},
        admin,
      )
    ).data!.createProduct.id;
    const placed = await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      { input: { userId: bob, items: [{ productId, quantity: 1 }] } },
      as(bob),
    );
    expect(placed.errors).toBeUndefined();
    bobsOrder = placed.data!.placeOrder.id;
  });

  const PLACE = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;

  it('lets a user place an order for themselves only', async () => {
    const own = await graphqlRequest(
      stack.gatewayUrl,
      PLACE,
      { input: { userId: alice, items: [{ productId, quantity: 1 }] } },
      as(alice),
    );
    expect(own.errors).toBeUndefined();
    const forBob = await graphqlRequest(
      stack.gatewayUrl,
      PLACE,
      { input: { userId: bob, items: [{ productId, quantity: 1 }] } },
      as(alice),
    );
    expect(errorCodes(forBob)).toEqual(['FORBIDDEN']);
  });

  it("refuses reading another user's order (FORBIDDEN), or any order without a token (UNAUTHENTICATED)", async () => {
    const query = `query ($id: ID!) { order(id: $id) { id status } }`;
    expect((await graphqlRequest(stack.gatewayUrl, query, { id: bobsOrder }, as(bob))).data!.order.id).toBe(bobsOrder);
    expect(errorCodes(await graphqlRequest(stack.gatewayUrl, query, { id: bobsOrder }, as(alice)))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await graphqlRequest(stack.gatewayUrl, query, { id: bobsOrder }))).toEqual(['UNAUTHENTICATED']);
    expect((await graphqlRequest(stack.gatewayUrl, query, { id: bobsOrder }, admin)).errors).toBeUndefined();
  });

  it("refuses cancelling another user's order, and leaves it as it was", async () => {
    const cancel = `mutation ($input: CancelOrderInput!) { cancelOrder(input: $input) { status } }`;
    expect(
      errorCodes(await graphqlRequest(stack.gatewayUrl, cancel, { input: { orderId: bobsOrder } }, as(alice))),
    ).toEqual(['FORBIDDEN']);
    const order = await graphqlRequest(
      stack.gatewayUrl,
      `query ($id: ID!) { order(id: $id) { status } }`,
      { id: bobsOrder },
      as(bob),
    );
    expect(order.data!.order.status).toBe('PENDING');
  });

  it('ignores a service identity a client puts in its request: it is never forwarded', async () => {
    const query = `query ($id: ID!) { order(id: $id) { id status } }`;
    const claimed = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { id: bobsOrder }, extensions: { service: 'storage-subgraph' } }),
    });
    expect(errorCodes((await claimed.json()) as never)).toEqual(['UNAUTHENTICATED']);
    const inToken = await graphqlRequest(
      stack.gatewayUrl,
      query,
      { id: bobsOrder },
      { headers: bearer(testToken({ sub: alice, service: 'storage-subgraph' })) },
    );
    expect(errorCodes(inToken)).toEqual(['FORBIDDEN']);
  });

  it("keeps a user's email, orders and summary to that user", async () => {
    const query = `query ($id: ID!) { user(id: $id) { name email orderSummary { orderCount } orders(first: 5) { totalCount } } }`;
    const own = await graphqlRequest(stack.gatewayUrl, query, { id: bob }, as(bob));
    expect(own.errors).toBeUndefined();
    expect(own.data!.user.orders.totalCount).toBe(1);
    const other = await graphqlRequest(stack.gatewayUrl, query, { id: bob }, as(alice));
    expect(new Set(errorCodes(other))).toEqual(new Set(['FORBIDDEN']));
    const anonymous = await graphqlRequest(stack.gatewayUrl, `query ($id: ID!) { user(id: $id) { name email } }`, {
      id: bob,
    });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const publicPart = await graphqlRequest(stack.gatewayUrl, `query ($id: ID!) { user(id: $id) { name } }`, {
      id: bob,
    });
    expect(publicPart.data!.user.name).toBe('bob@owners.test');
  });
});

describe('subscriptions check the token at subscribe time (connectionParams)', () => {
  async function firstError(authorization: string) {
    const client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: authorization },
    });
    const errors: unknown[] = [];
    const stop = client.subscribe(
      { query: 'subscription { inventoryChanged { id stock } }' },
      { next: (result) => errors.push(result), error: (err) => errors.push(err), complete: () => undefined },
    );
    const deadline = Date.now() + 5_000;
    while (errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    await client.dispose();
    return JSON.stringify(errors);
  }

  it('refuses a forged or expired token with UNAUTHENTICATED', async () => {
    const forged = testToken({ sub: 'u' }, { secret: 'another-secret-0123456789abcdef0123456789' });
    expect(await firstError(`Bearer ${forged}`)).toContain('UNAUTHENTICATED');
    expect(await firstError(`Bearer ${testToken({ sub: 'u' }, { expiresInSeconds: -120 })}`)).toContain(
      'UNAUTHENTICATED',
    );
  });
});
