import { parse } from 'graphql';
import {
  buildFederatedSchema,
  createLogger,
  createSubgraphServer,
  graphqlRequest,
  notFound,
  Teardown,
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
  return { url: await server.listen(0), teardown };
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

  it('exposes Prometheus metrics with request counts by route and status', async () => {
    const { url, teardown } = await startServer();
    await graphqlRequest(url, '{ missing }');
    await fetch(url.replace('/graphql', '/nowhere/42'));
    const response = await fetch(url.replace('/graphql', '/metrics'));
    expect(response.headers.get('content-type')).toContain('text/plain');
    const body = await response.text();
    expect(body).toMatch(/http_requests_total\{route="\/graphql",method="POST",status="200",service="test"\} 1/);
    expect(body).toMatch(/http_requests_total\{route="other",method="GET",status="404",service="test"\} 1/);
    expect(body).toContain('process_cpu_seconds_total');
    await teardown.close();
  });
});
