import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@polystore/embedded';
import { composeSupergraph } from '@polystore/gateway/compose';
import { asAdmin, eventually, graphqlRequest, TEST_AUTH_ENV, untilAnswering } from '@polystore/testing';
import { testMongo, testPostgres, testRedis, type Disposable } from '@polystore/testing/stores';

/**
 * OpenTelemetry across processes, as deployed: the gateway, the sql-subgraph and
 * the mongo-subgraph run as their own processes (the store drivers are instrumented when a process
 * loads them, which jest's module loader would bypass), with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at a collector in this test that keeps
 * what the exporters post (OTLP/HTTP JSON). One query must leave one trace that
 * holds the gateway's spans, each subgraph's, and their PostgreSQL, MongoDB and
 * Redis calls.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

interface ReceivedSpan {
  service: string;
  scope: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

const received: ReceivedSpan[] = [];
const fixtures: Disposable[] = [];
const children: ChildProcess[] = [];
let collector: Server;
let dir: string;
let gatewayUrl: string;

/** A minimal OTLP/HTTP collector: flattens every posted span with its service and instrumentation scope. */
function startCollector(): Promise<string> {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { scope: { name: string }; spans: Omit<ReceivedSpan, 'service' | 'scope'>[] }[];
          }[];
        };
        for (const { resource, scopeSpans } of body.resourceSpans) {
          const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const { scope, spans } of scopeSpans) {
            for (const span of spans) received.push({ ...span, service, scope: scope.name });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => {
    collector.listen(0, '127.0.0.1', () => {
      const { port } = collector.address() as { port: number };
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function startService(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_OPTIONS: '', LOG_LEVEL: 'error', ...TEST_AUTH_ENV, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  const [postgres, redis, mongo] = await Promise.all([testPostgres(), testRedis(), testMongo()]);
  fixtures.push(postgres, redis, mongo);
  dir = await mkdtemp(join(tmpdir(), 'polystore-tracing-'));
  const otlp = await startCollector();
  const [sqlPort, mongoPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
  const common = {
    // Metrics listeners on free ports (their defaults may be taken on this machine).
    GATEWAY_METRICS_PORT: '0',
    SQL_SUBGRAPH_METRICS_PORT: '0',
    MONGO_SUBGRAPH_METRICS_PORT: '0',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
  };
  startService('services/sql-subgraph/src/index.ts', {
    ...common,
    DATABASE_URL: postgres.url,
    SQL_SUBGRAPH_PORT: String(sqlPort),
  });
  const sqlUrl = `http://127.0.0.1:${sqlPort}/graphql`;
  startService('services/mongo-subgraph/src/index.ts', {
    ...common,
    MONGO_URL: mongo.url,
    MONGO_DATABASE: mongo.database,
    MONGO_SUBGRAPH_PORT: String(mongoPort),
    SQL_SUBGRAPH_URL: sqlUrl,
  });
  const mongoUrl = `http://127.0.0.1:${mongoPort}/graphql`;
  await untilAnswering(`http://127.0.0.1:${sqlPort}/ready`);
  await untilAnswering(`http://127.0.0.1:${mongoPort}/ready`);

  const supergraph = join(dir, 'supergraph.graphql');
  await writeFile(supergraph, composeSupergraph({ sql: sqlUrl, mongo: mongoUrl }));
  startService('gateway/src/index.ts', {
    ...common,
    GATEWAY_PORT: String(gatewayPort),
    SUPERGRAPH_PATH: supergraph,
    SUPERGRAPH_POLL_MS: '0',
    GATEWAY_RATE_LIMIT: '100000',
  });
  gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  // /health, not /ready: the other two subgraphs are not running, and this query does not need them.
  await untilAnswering(`http://127.0.0.1:${gatewayPort}/health`);
}, 60_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    // SIGTERM flushes the last spans; SIGKILL if it has not exited within 10 s.
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    clearTimeout(killer);
  }
  collector?.closeAllConnections();
  await new Promise((resolve) => collector?.close(resolve));
  for (const fixture of fixtures.reverse()) await fixture.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tracing', () => {
  it('one query leaves one trace across the gateway, both subgraphs, PostgreSQL, MongoDB and Redis', async () => {
    const created = await graphqlRequest(
      gatewayUrl,
      `mutation { createProduct(input: { sku: "TRACED-1", name: "Lamp", price: { amount: 900, currency: "EUR" }, stock: 1 }) { id } }`,
      {},
      { headers: asAdmin() },
    );
    const productId = created.data!.createProduct.id as string;
    // The client's own traceparent: the gateway joins it, so the trace is known in advance.
    const traceId = randomBytes(16).toString('hex');
    const response = await graphqlRequest(
      gatewayUrl,
      'query ($id: ID!) { product(id: $id) { sku salesCount details { description } } }',
      { id: productId },
      { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.product.sku).toBe('TRACED-1');

    const trace = () => received.filter((span) => span.traceId === traceId);
    const has = (service: string, scope: string) => trace().some((s) => s.service === service && s.scope === scope);
    const expected: [string, string][] = [
      ['gateway', 'gateway'],
      ['sql-subgraph', '@opentelemetry/instrumentation-http'],
      ['sql-subgraph', '@opentelemetry/instrumentation-pg'],
      ['mongo-subgraph', '@opentelemetry/instrumentation-http'],
      ['mongo-subgraph', '@opentelemetry/instrumentation-mongodb'],
    ];
    const missing = () => expected.filter(([service, scope]) => !has(service, scope));
    await eventually(
      async () => missing().length === 0,
      'spans of the gateway, both subgraphs, PostgreSQL and MongoDB in the trace',
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; missing ${JSON.stringify(missing())}`);
    });

    const spans = trace();
    // The subgraph's server span is a child of a gateway span: the context crossed the wire.
    const gatewaySpanIds = new Set(spans.filter((s) => s.service === 'gateway').map((s) => s.spanId));
    const subgraphServer = spans.find(
      (s) => s.service === 'sql-subgraph' && s.scope === '@opentelemetry/instrumentation-http',
    );
    expect(gatewaySpanIds.has(subgraphServer!.parentSpanId!)).toBe(true);
    // The statement runs inside the subgraph's request (salesCount is always read from PostgreSQL;
    // the product itself may come from the Redis cache).
    const query = spans.find((s) => s.scope === '@opentelemetry/instrumentation-pg' && s.name.startsWith('pg.query'));
    expect(query).toBeDefined();
    // Redis: the gateway counts the request against the caller's rate limit; each subgraph's loader reads its cache.
    for (const service of ['gateway', 'sql-subgraph', 'mongo-subgraph']) {
      expect(spans.some((s) => s.service === service && s.scope === '@opentelemetry/instrumentation-ioredis')).toBe(
        true,
      );
    }
  }, 60_000);
});
