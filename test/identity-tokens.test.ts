import { createHmac } from 'node:crypto';
import { bearer, graphqlRequest, startedOncePerFile, TEST_AUTH_ENV, testToken } from '@polystore/testing';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestStack } from './support/stack.js';

/**
 * Client tokens at the gateway: which are refused (forged, expired, foreign,
 * unsigned, too long-lived) over HTTP and graphql-ws, and which are accepted.
 */
const stack = startedOncePerFile(startTestStack);

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
