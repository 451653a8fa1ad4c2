import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLAIMS_EXTENSION, graphqlRequest, signedExtensions, SUBGRAPHS } from '@polystore/common';
import { freePort } from '@polystore/embedded';
import { composeSupergraph } from '@polystore/gateway/compose';
import { compareSides, ratio } from '../lib/compare.js';
import { listeningProcess, startComponent, type Component } from '../lib/process.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { adminHeaders, BENCH_AUTH_ENV, BENCH_CLAIMS, startBenchStack } from '../lib/stack.js';

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

export async function verify(
  url: string,
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
) {
  const body = await graphqlRequest(url, query, variables, { headers });
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
    const bench = await startBenchStack();
    const { stack, dataDir, subgraphPorts } = bench;
    let baseline: Component | undefined;
    try {
      // A few orders so the nested query has something to resolve.
      type Ids = { edges: { node: { id: string } }[] };
      const seeded = (await verify(
        stack.gatewayUrl,
        '{ users(first: 4) { edges { node { id } } } products(first: 6) { edges { node { id } } } }',
        adminHeaders(),
      )) as { data: { users: Ids; products: Ids } };
      const productIds = seeded.data.products.edges.map((edge) => edge.node.id);
      for (const [i, edge] of seeded.data.users.edges.entries()) {
        for (let n = 0; n < 3; n++) {
          await verify(
            stack.gatewayUrl,
            `mutation { placeOrder(input: { userId: "${edge.node.id}", items: [{ productId: "${productIds[(i + n) % 2]}", quantity: 1 }] }) { id } }`,
            adminHeaders(),
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
        // It signs its subgraph requests and forwards the bench's claims, as our gateway does.
        {
          env: {
            ...process.env,
            SUBGRAPH_SIGNING_SECRET: BENCH_AUTH_ENV.SUBGRAPH_SIGNING_SECRET,
            BENCH_FORWARDED_CLAIMS: JSON.stringify(BENCH_CLAIMS),
          },
        },
      );
      const sides = [
        {
          name: 'polystore',
          url: stack.gatewayUrl,
          headers: adminHeaders(),
          component: listeningProcess(new URL(stack.gatewayUrl).port),
        },
        { name: '@apollo/gateway', url: baseline.ready.url as string, component: baseline },
      ];
      const rows: Row[] = [];
      for (const [variant, query] of Object.entries(E2E_QUERIES)) {
        for (const side of sides) await verify(side.url, query, side.headers);
        const [ours, theirs] = await compareSides('e2e', variant, sides, [JSON.stringify({ query })], knobs);
        ours!.extra = {
          'x rps': ratio(ours!, theirs!),
          'x p50': ratio(ours!, theirs!, 'p50'),
          'x cpu/req': ratio(ours!, theirs!, 'cpuUs'),
        };
        rows.push(ours!, theirs!);
      }
      // The gateway's overhead on a real subgraph: one connection, one request at a time.
      const single = '{ users(first: 10) { edges { node { id name email } } } }';
      const direct = `http://127.0.0.1:${subgraphPorts.get('sql')}/graphql`;
      // Straight to the subgraph, signed and with the claims as the gateway would send them.
      const forwarded = { [CLAIMS_EXTENSION]: { payload: BENCH_CLAIMS } };
      // Signed once and sent for the whole run: the bench's subgraphs accept signatures for an hour.
      const signedBody = JSON.stringify({
        query: single,
        extensions: signedExtensions(BENCH_AUTH_ENV.SUBGRAPH_SIGNING_SECRET, { query: single, extensions: forwarded }),
      });
      await verify(stack.gatewayUrl, single, adminHeaders());
      const [via, straight] = await compareSides(
        'overhead',
        'sql-subgraph users, 1 conn',
        [
          { name: 'through polystore gateway', url: stack.gatewayUrl, headers: adminHeaders() },
          { name: 'direct to subgraph', url: direct },
        ],
        [JSON.stringify({ query: single })],
        { ...knobs, connections: 1 },
        { 'direct to subgraph': signedBody },
      );
      via!.extra = {
        'x mean': ratio(via!, straight!, 'mean'),
        'x cpu/req': ratio(via!, straight!, 'cpuUs'),
        'x p50': ratio(via!, straight!, 'p50'),
        'x p99': ratio(via!, straight!, 'p99'),
      };
      rows.push(via!, straight!);
      return rows;
    } finally {
      await baseline?.stop();
      await bench.dispose();
    }
  },
};
