import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, graphqlRequest, SUBGRAPHS, type SubgraphName } from '@polystore/common';
import { freePort } from '@polystore/embedded';
import { testPostgres, testRedis } from '@polystore/testing/stores';
import { composeSupergraph } from '@polystore/gateway/compose';
import { startStack } from '@polystore/launcher';
import { compareSides, ratio } from '../lib/compare.js';
import { startComponent, type Component } from '../lib/process.js';
import type { Row } from '../lib/report.js';
import type { Scenario } from '../lib/scenario.js';

/** Queries over the whole stack (three subgraphs, real PostgreSQL and Redis, embedded MongoDB and S3). */
export const E2E_QUERIES = {
  'product page': `{
    products(first: 6) {
      totalCount
      edges { node { sku name price { amount currency } stock salesCount
        details { description category tags attributes }
        images { filename contentType size } } }
    }
  }`,
  'users>orders>items>products': `{
    users(first: 4) { edges { node { name orderSummary { orderCount }
      orders(first: 3) { edges { node { status total { amount } items { quantity product { sku details { category } } } } } } } } }
  }`,
};

export async function verify(url: string, query: string) {
  const body = await graphqlRequest(url, query);
  if (body.errors) throw new Error(`${url} answered with errors: ${JSON.stringify(body.errors)}`);
  return body;
}

/**
 * The whole stack behind our gateway versus behind @apollo/gateway, same
 * subgraphs and stores, the same popular query from many clients.
 */
export const e2e: Scenario = {
  name: 'e2e',
  description: 'whole stack: our gateway vs @apollo/gateway on the same subgraphs and stores',
  async run(knobs) {
    const log = createLogger('bench', 'warn');
    const postgres = await testPostgres();
    const redis = await testRedis();
    const dataDir = await mkdtemp(join(tmpdir(), 'polystore-bench-'));
    const subgraphPorts = new Map<SubgraphName, number>();
    for (const subgraph of SUBGRAPHS) subgraphPorts.set(subgraph.name, await freePort());
    let baseline: Component | undefined;
    let stack: Awaited<ReturnType<typeof startStack>> | undefined;
    try {
      stack = await startStack({
        log,
        env: {
          ...process.env,
          LOG_LEVEL: 'warn',
          DATA_DIR: dataDir,
          DATABASE_URL: postgres.url,
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: redis.keyPrefix,
          GATEWAY_PORT: String(await freePort()),
          ...Object.fromEntries(SUBGRAPHS.map((s) => [s.portVariable, String(subgraphPorts.get(s.name))])),
        },
      }).catch((err: unknown) => {
        throw new Error(`the stack (subgraphs + gateway) could not start: ${String(err)}`);
      });
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
      baseline = await startComponent(
        '@apollo/gateway (baseline)',
        new URL('../fixtures/apollo-gateway.ts', import.meta.url),
        [supergraphFile, String(await freePort())],
      );
      const sides = [
        { name: 'polystore', url: stack.gatewayUrl },
        { name: '@apollo/gateway', url: baseline.ready.url as string, component: baseline },
      ];
      const rows: Row[] = [];
      for (const [variant, query] of Object.entries(E2E_QUERIES)) {
        for (const side of sides) await verify(side.url, query);
        const [ours, theirs] = await compareSides('e2e', variant, sides, [JSON.stringify({ query })], knobs);
        ours!.extra = { 'x rps': ratio(ours!, theirs!), 'x p50': ratio(ours!, theirs!, 'p50') };
        rows.push(ours!, theirs!);
      }
      return rows;
    } finally {
      await baseline?.stop();
      await stack?.stop();
      await postgres.dispose();
      await redis.dispose();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
