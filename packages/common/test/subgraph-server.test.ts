import { Redis } from 'ioredis';
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { rawRequest, testRedis } from './support/index.js';
import {
  buildFederatedSchema,
  createLogger,
  createNonceStore,
  createSubgraphServer,
  graphqlRequest,
  NONCE_EXTENSION,
  notFound,
  serveMetrics,
  SERVICE_EXTENSION,
  signedExtensions,
  signRequest,
  SIGNED_AT_EXTENSION,
  signingTime,
  Teardown,
  type NonceStore,
} from '../src/index.js';

const typeDefs = parse(`
  type Query {
    slow(ms: Int!): String!
    boom: String
    missing: String
  }
`);

let release: (() => void) | undefined;
const resolvers = {
  Query: {
    slow: (_: unknown, { ms }: { ms: number }) =>
      new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('done'), ms);
        release = () => {
          clearTimeout(timer);
          resolve('done');
        };
      }),
    boom: () => {
      throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    },
    missing: () => {
      throw notFound('no such thing', { id: 'x' });
    },
  },
};

async function startServer(readyCheck: () => Promise<unknown> = async () => undefined) {
  const log = createLogger('test', 'silent');
  const teardown = new Teardown(log);
  const server = await createSubgraphServer({
    name: 'test',
    schema: buildFederatedSchema(typeDefs, resolvers),
    context: () => ({}),
    readiness: [{ name: 'store', check: readyCheck }],
    log,
    teardown,
    maxBodyBytes: 1024,
  });
  return { url: await server.listen(0), teardown, server, log };
}

describe('subgraph server', () => {
  it('lets an in-flight request finish when it shuts down, then refuses new ones', async () => {
    const { url, teardown } = await startServer();
    const inFlight = graphqlRequest(url, '{ slow(ms: 5000) }');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = teardown.close(10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    release?.();
    expect(await inFlight).toEqual({ data: { slow: 'done' } });
    await closing;
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
  });

  it('masks unexpected errors and keeps expected ones with their code', async () => {
    const { url, teardown } = await startServer();
    const boom = await graphqlRequest(url, '{ boom }');
    expect(boom.errors).toEqual([
      expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    ]);
    expect(JSON.stringify(boom)).not.toContain('hunter2');
    const missing = await graphqlRequest(url, '{ missing }');
    expect(missing.errors![0]).toMatchObject({ message: 'no such thing', extensions: { code: 'NOT_FOUND', id: 'x' } });
    await teardown.close();
  });

  it('answers malformed HTTP requests with a 4xx and a coded error', async () => {
    const { url, teardown } = await startServer();
    const post = (body: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const tooLarge = await post(JSON.stringify({ query: `{ boom } # ${'x'.repeat(2000)}` }));
    expect(tooLarge.status).toBe(413);
    const notJson = await post('{ nope');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
    const elsewhere = await fetch(url.replace('/graphql', '/elsewhere'));
    expect(elsewhere.status).toBe(404);
    await teardown.close();
  });

  it('reports not ready, with the reason, when a store check fails or hangs', async () => {
    const failing = await startServer(async () => {
      throw new Error('connection refused');
    });
    const failed = await fetch(failing.url.replace('/graphql', '/ready'));
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ status: 'unavailable', checks: { store: 'connection refused' } });
    expect((await fetch(failing.url.replace('/graphql', '/health'))).status).toBe(200);
    await failing.teardown.close();

    const hanging = await startServer(() => new Promise(() => undefined));
    const hung = await fetch(hanging.url.replace('/graphql', '/ready'));
    expect(hung.status).toBe(503);
    expect(((await hung.json()) as { checks: { store: string } }).checks.store).toMatch(/no answer within/);
    await hanging.teardown.close();
  });

  it('exposes Prometheus metrics on a listener of its own, with request counts by route and status', async () => {
    const { url, teardown, server, log } = await startServer();
    const metricsUrl = await serveMetrics(server.metrics, { host: '127.0.0.1', port: 0 }, teardown, log);
    await graphqlRequest(url, '{ missing }');
    // Every JSON answer, errors and health included, tells browsers not to guess its type.
    for (const path of ['/nowhere/42', '/health', '/ready']) {
      const answer = await fetch(url.replace('/graphql', path));
      expect({ path, nosniff: answer.headers.get('x-content-type-options') }).toEqual({ path, nosniff: 'nosniff' });
      await answer.text();
    }
    // Clients on the GraphQL port never see them.
    const fromClientPort = await fetch(url.replace('/graphql', '/metrics'));
    expect(fromClientPort.status).toBe(404);
    expect(fromClientPort.headers.get('x-content-type-options')).toBe('nosniff');
    await fromClientPort.text();
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const body = await response.text();
    expect(body).toMatch(/http_requests_total\{route="\/graphql",method="POST",status="200",service="test"\} 1/);
    expect(body).toMatch(/http_requests_total\{route="other",method="GET",status="404",service="test"\} 1/);
    expect(body).toMatch(/http_requests_total\{route="\/metrics",method="GET",status="404",service="test"\} 1/);
    expect(body).toContain('process_cpu_seconds_total');
    await teardown.close();
  });
});

describe('a signing subgraph runs exactly what was signed', () => {
  const secret = 'server-test-secret-0123456789abcdef0123456789';
  const signedTypeDefs = parse(`
    type Query { secret: String! public: String! }
    type Mutation { bump: Int! }
  `);
  /** What ran, by field: nothing may run that was not signed, and a mutation runs once. */
  const ran = { secret: 0, public: 0, bump: 0 };
  const signedResolvers = {
    Query: {
      secret: () => (ran.secret++, 'every email'),
      public: () => (ran.public++, 'catalog'),
    },
    Mutation: { bump: () => ++ran.bump },
  };
  let url: string;
  let teardown: Teardown;

  async function startSigned(nonces?: NonceStore) {
    const log = createLogger('test', 'silent');
    const down = new Teardown(log);
    const server = await createSubgraphServer({
      name: 'signed',
      schema: buildFederatedSchema(signedTypeDefs, signedResolvers),
      context: () => ({}),
      readiness: [],
      log,
      teardown: down,
      signatureSecret: secret,
      ...(nonces ? { nonces } : {}),
    });
    return { url: await server.listen(0), teardown: down };
  }

  beforeAll(async () => {
    ({ url, teardown } = await startSigned());
  });
  afterAll(async () => {
    await teardown?.close();
  });
  beforeEach(() => {
    Object.assign(ran, { secret: 0, public: 0, bump: 0 });
  });

  const signedBody = (query: string, operationName?: string, extensions: Record<string, unknown> = {}) => ({
    query,
    ...(operationName ? { operationName } : {}),
    extensions: signedExtensions(secret, { query, operationName, extensions }),
  });
  const post = async (body: object, target = url, headers: Record<string, string> = {}) => {
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  /** A raw request (any method, a body even on GET), as an attacker's client sends it. */
  const raw = async (method: string, target: string, body: string, headers: Record<string, string> = {}) => {
    const { status, headers: answered, text } = await rawRequest(method, target, body, headers);
    try {
      return { status, body: JSON.parse(text) as Record<string, any>, allow: answered.allow };
    } catch (err) {
      throw new Error(`${status}: ${text}`, { cause: err });
    }
  };
  const codes = (body: Record<string, any>) => (body.errors ?? []).map((e: any) => e.extensions?.code);

  it('refuses a GET carrying a signed body and another query in the URL, and runs nothing', async () => {
    const body = JSON.stringify(signedBody('{ public }'));
    const replay = await raw('GET', `${url}?query=${encodeURIComponent('{ secret }')}`, body);
    expect(replay.status).toBe(405);
    expect(replay.allow).toBe('POST');
    expect(codes(replay.body)).toEqual(['METHOD_NOT_ALLOWED']);
    for (const method of ['PUT', 'PATCH', 'DELETE']) expect((await raw(method, url, body)).status).toBe(405);
    expect(ran).toEqual({ secret: 0, public: 0, bump: 0 });
  });

  it('runs the signed query of a POST, never one from its URL or headers', async () => {
    const answer = await post(signedBody('{ public }'), `${url}?query=${encodeURIComponent('{ secret }')}`, {
      'x-apollo-operation-name': 'other',
    });
    expect(answer).toEqual({ status: 200, body: { data: { public: 'catalog' } } });
    expect(ran).toEqual({ secret: 0, public: 1, bump: 0 });
  });

  it('takes only a JSON body', async () => {
    const text = await raw('POST', url, JSON.stringify(signedBody('{ public }')), { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(codes(text.body)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    expect(ran.public).toBe(0);
  });

  it('refuses an operation name changed after signing, or added to a signed body', async () => {
    const query = 'query A { public } query B { secret }';
    const signedA = signedBody(query, 'A');
    expect((await post(signedA)).body).toEqual({ data: { public: 'catalog' } });
    const switched = await post({ ...signedA, operationName: 'B' });
    expect(switched.status).toBe(401);
    expect(codes(switched.body)).toEqual(['UNAUTHENTICATED']);
    const unnamed = signedBody('{ public }');
    expect((await post({ ...unnamed, operationName: 'B' })).status).toBe(401);
    expect(ran.secret).toBe(0);
  });

  it('answers identical signed queries every time (no nonce: the gateway de-duplicates them)', async () => {
    const body = signedBody('{ public }');
    expect(body.extensions[NONCE_EXTENSION]).toBeUndefined();
    for (let i = 0; i < 2; i++)
      expect(await post(body)).toEqual({ status: 200, body: { data: { public: 'catalog' } } });
    expect(ran.public).toBe(2);
  });

  it('runs a signed mutation once: the same body again is refused with UNAUTHENTICATED', async () => {
    const body = signedBody('mutation { bump }');
    expect(typeof body.extensions[NONCE_EXTENSION]).toBe('string');
    expect(await post(body)).toEqual({ status: 200, body: { data: { bump: 1 } } });
    const again = await post(body);
    expect(again.status).toBe(401);
    expect(codes(again.body)).toEqual(['UNAUTHENTICATED']);
    expect(again.body.errors[0].message).toMatch(/replayed/);
    // A fresh signature (new nonce) runs.
    expect((await post(signedBody('mutation { bump }'))).body).toEqual({ data: { bump: 2 } });
    expect(ran.bump).toBe(2);
  });

  it('refuses a signed mutation without a nonce, and a nonce changed after signing', async () => {
    const query = 'mutation { bump }';
    const timed = { [SIGNED_AT_EXTENSION]: signingTime() };
    const noNonce = { ...timed, 'hmac-signature': signRequest(secret, { query, extensions: timed }) };
    const refused = await post({ query, extensions: noNonce });
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].message).toMatch(/nonce/);
    const signed = signedBody(query);
    expect(
      (await post({ ...signed, extensions: { ...signed.extensions, [NONCE_EXTENSION]: 'x'.repeat(36) } })).status,
    ).toBe(401);
    expect(ran.bump).toBe(0);
  });

  it('lets a service identity read, never write', async () => {
    const read = await post(signedBody('{ public }', undefined, { [SERVICE_EXTENSION]: 'storage-subgraph' }));
    expect(read.body).toEqual({ data: { public: 'catalog' } });
    const write = await post(signedBody('mutation { bump }', undefined, { [SERVICE_EXTENSION]: 'storage-subgraph' }));
    expect(write.status).toBe(403);
    expect(codes(write.body)).toEqual(['FORBIDDEN']);
    expect(ran.bump).toBe(0);
  });

  it('applies the same rules to graphql-ws subscribe messages', async () => {
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    const run = (payload: Record<string, unknown>) =>
      new Promise<unknown[]>((resolve) => {
        const results: unknown[] = [];
        client.subscribe(payload as never, {
          next: (result) => results.push(result),
          error: (err) => resolve([...results, err]),
          complete: () => resolve(results),
        });
      });
    try {
      const mutation = signedBody('mutation { bump }');
      expect(await run(mutation)).toEqual([{ data: { bump: 1 } }]);
      expect(JSON.stringify(await run(mutation))).toContain('replayed');
      const query = 'query A { public } query B { secret }';
      expect(JSON.stringify(await run({ ...signedBody(query, 'A'), operationName: 'B' }))).toContain('UNAUTHENTICATED');
      expect(ran).toEqual({ secret: 0, public: 0, bump: 1 });
    } finally {
      await client.dispose();
    }
  });

  it('shares nonces through Redis, so another replica refuses a mutation one replica ran', async () => {
    const redisFixture = await testRedis();
    const clients = [new Redis(redisFixture.url), new Redis(redisFixture.url)];
    const log = createLogger('test', 'silent');
    const replicas = await Promise.all(
      clients.map((redis) => startSigned(createNonceStore({ redis, keyPrefix: redisFixture.keyPrefix, log }))),
    );
    try {
      const body = signedBody('mutation { bump }');
      expect((await post(body, replicas[0]!.url)).body).toEqual({ data: { bump: 1 } });
      const other = await post(body, replicas[1]!.url);
      expect(other.status).toBe(401);
      expect(codes(other.body)).toEqual(['UNAUTHENTICATED']);
      expect(ran.bump).toBe(1);
      // Kept in Redis until the signature itself expires (60 s window), not for ever.
      const [key] = await clients[0]!.keys(`${redisFixture.keyPrefix}nonce:*`);
      const ttl = await clients[0]!.pttl(key!);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(62_000);
    } finally {
      for (const replica of replicas) await replica.teardown.close();
      for (const redis of clients) await redis.quit();
      await redisFixture.dispose();
    }
  });
});
