import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createLogger, graphqlRequest, SUBGRAPHS, type SubgraphName } from '@polystore/common';
import { freePort } from '@polystore/embedded';
import { testPostgres, testRedis } from '@polystore/testing/stores';
import { composeSupergraph } from '@polystore/gateway/compose';
import { startStack } from '@polystore/launcher';

/**
 * `npm run bench`: our gateway (Hive runtime + Rust planner) against
 * @apollo/gateway, same subgraphs, same stores, same queries, in one run.
 * Each gateway gets the same load in alternating rounds; the report gives
 * requests per second and latency, and our/baseline ratios.
 *
 * Knobs (environment): BENCH_SECONDS per round (default 10), BENCH_CONNECTIONS (50),
 * BENCH_ROUNDS per gateway (2). Load goes to 127.0.0.1 only.
 */
// The pinned AWS SDK supports Node 20; its notice about future releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

const QUERIES = {
  'deep product page (3 subgraphs)': `{
    products(first: 6) {
      totalCount
      edges { node { sku name price { amount currency } stock salesCount
        details { description category tags attributes }
        images { filename contentType size } } }
    }
  }`,
  'users with orders, items and products (nested entities)': `{
    users(first: 4) { edges { node { name orderSummary { orderCount }
      orders(first: 3) { edges { node { status total { amount } items { quantity product { sku details { category } } } } } } } } }
  }`,
};

interface Result {
  requests: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, query: string): Promise<Result> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    connections,
    duration: seconds,
  });
  return {
    requests: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

async function verify(url: string, query: string) {
  const body = await graphqlRequest(url, query);
  if (body.errors) throw new Error(`${url} answered with errors: ${JSON.stringify(body.errors)}`);
  return body;
}

function startBaseline(supergraphFile: string, port: number): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(new URL('./apollo-gateway.ts', import.meta.url).pathname, [supergraphFile, String(port)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ready: string }) => resolve({ url: message.ready, child }));
    child.once('exit', (code) => reject(new Error(`baseline gateway exited (${code})`)));
  });
}

const log = createLogger('bench', 'warn');
const postgres = await testPostgres();
const redis = await testRedis();
const dataDir = await mkdtemp(join(tmpdir(), 'polystore-bench-'));
const ports = { gateway: await freePort(), baseline: await freePort() };
const subgraphPorts = new Map<SubgraphName, number>();
for (const subgraph of SUBGRAPHS) subgraphPorts.set(subgraph.name, await freePort());
let baseline: ChildProcess | undefined;
const stack = await startStack({
  log,
  env: {
    ...process.env,
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    GATEWAY_PORT: String(ports.gateway),
    ...Object.fromEntries(SUBGRAPHS.map((s) => [s.portVariable, String(subgraphPorts.get(s.name))])),
  },
});
try {
  // A few orders so the nested query has something to resolve.
  type Ids = { edges: { node: { id: string } }[] };
  const seeded = (await verify(
    stack.gatewayUrl,
    '{ users(first: 4) { edges { node { id } } } products(first: 6) { edges { node { id } } } }',
  )) as { data: { users: Ids; products: Ids } };
  const productIds = seeded.data.products.edges.map((edge) => edge.node.id);
  for (const [i, edge] of seeded.data.users.edges.entries()) {
    for (let n = 0; n < 3; n++) {
      await verify(
        stack.gatewayUrl,
        `mutation { placeOrder(input: { userId: "${edge.node.id}", items: [{ productId: "${productIds[(i + n) % 2]}", quantity: 1 }] }) { id } }`,
      );
    }
  }

  const supergraphFile = join(dataDir, 'supergraph.graphql');
  const local = (port: number) => `http://127.0.0.1:${port}/graphql`;
  await writeFile(
    supergraphFile,
    composeSupergraph(Object.fromEntries(SUBGRAPHS.map((s) => [s.name, local(subgraphPorts.get(s.name)!)]))),
  );
  const started = await startBaseline(supergraphFile, ports.baseline);
  baseline = started.child;

  const gateways = {
    'polystore (Hive + Rust planner)': stack.gatewayUrl,
    '@apollo/gateway 2.14 (baseline)': started.url,
  };
  const lines: string[] = [];
  for (const [name, query] of Object.entries(QUERIES)) {
    for (const url of Object.values(gateways)) await verify(url, query);
    const totals = new Map<string, Result[]>();
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first, so warm-up and drift favour neither.
      const order = round % 2 === 0 ? Object.entries(gateways) : Object.entries(gateways).reverse();
      for (const [gateway, url] of order) {
        await load(url, query); // warm-up, not counted
        const result = await load(url, query);
        totals.set(gateway, [...(totals.get(gateway) ?? []), result]);
      }
    }
    const mean = (results: Result[], key: keyof Result) => results.reduce((sum, r) => sum + r[key], 0) / results.length;
    const [ours, theirs] = [...totals.values()] as [Result[], Result[]];
    lines.push(`\n${name}`);
    for (const [gateway, results] of totals) {
      lines.push(
        `  ${gateway.padEnd(34)} ${mean(results, 'requests').toFixed(0).padStart(6)} req/s   p50 ${mean(results, 'p50').toFixed(1)} ms   p99 ${mean(results, 'p99').toFixed(1)} ms   errors ${mean(results, 'errors')}`,
      );
    }
    lines.push(
      `  ratio ours/baseline: throughput ${(mean(ours, 'requests') / mean(theirs, 'requests')).toFixed(2)}x, p50 latency ${(mean(ours, 'p50') / mean(theirs, 'p50')).toFixed(2)}x`,
    );
  }
  console.log(
    `\nnpm run bench — ${connections} connections, ${rounds} x ${seconds}s per gateway and query, 127.0.0.1, ${new Date().toISOString()}`,
  );
  console.log(lines.join('\n'));
} finally {
  baseline?.kill('SIGTERM');
  await stack.stop();
  await postgres.dispose();
  await redis.dispose();
  await rm(dataDir, { recursive: true, force: true });
}
