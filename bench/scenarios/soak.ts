import { graphqlRequest } from '@polystore/common';
import { freePort } from '@polystore/embedded';
import { metricSum } from '@polystore/testing';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { load } from '../lib/load.js';
import { listeningProcess, type Measured } from '../lib/process.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { adminHeaders, RATE_LIMIT_ABOVE_THE_LOAD, startBenchStack } from '../lib/stack.js';
import { PRODUCT_PAGE } from './cache.js';

const READ_CONNECTIONS = 20;
const SUBSCRIBERS = 100;
/** A write every this many ms: an order, then a restock, in turn (each an event to the subscribers). */
const WRITE_EVERY_MS = 100;
const SAMPLE_EVERY_MS = 5_000;
/** The gateway's steady RSS the issue asks for at most, MiB. */
const GATEWAY_RSS_TARGET_MIB = 275;

/**
 * A bounded soak of the stack as `npm start` runs it, the rate limiter on with
 * a budget above the load: warm product pages (PostgreSQL, MongoDB, S3 and
 * review fields) of one product from 20 connections as one user, an order of
 * another product or its restock every 100 ms, and 100 graphql-ws subscribers
 * to that product's inventory, for
 * BENCH_SOAK_SECONDS. Every process's RSS is sampled every 5 s; the check is
 * that it is flat after the first quarter (the warm-up) and, for the gateway,
 * at most 275 MiB. Errors (reads, writes, subscriptions) must be 0; CPU per
 * request is the whole stack's over every request answered.
 */
export const soak: Scenario = {
  name: 'soak',
  description: `mixed reads, writes and subscriptions for BENCH_SOAK_SECONDS: RSS of every process over time (flat after warm-up; gateway ≤ ${GATEWAY_RSS_TARGET_MIB} MiB), errors, CPU per request`,
  async run(knobs) {
    const metricsPort = await freePort();
    const bench = await startBenchStack({
      env: { ...RATE_LIMIT_ABOVE_THE_LOAD, GATEWAY_METRICS_PORT: String(metricsPort) },
    });
    const gatewayHeap = () => heapMiB(`http://127.0.0.1:${metricsPort}/metrics`);
    const clients: Client[] = [];
    try {
      const url = bench.stack.gatewayUrl;
      const headers = adminHeaders();
      const listed = await graphqlRequest(
        url,
        '{ products(first: 2) { edges { node { id } } } users(first: 1) { edges { node { id } } } }',
        undefined,
        { headers },
      );
      type Page = { edges: { node: { id: string } }[] };
      const { products, users } = listed.data as { products: Page; users: Page };
      // Pages are read of one product; the other is ordered and restocked in turn (its stock stays put).
      const [read, written] = products.edges.map(({ node }) => node.id) as [string, string];
      const buyer = users.edges[0]!.node.id;
      const processes: [string, Measured][] = [
        ['gateway', listeningProcess(new URL(url).port)],
        ...[...bench.subgraphPorts].map(([name, port]): [string, Measured] => [
          `${name}-subgraph`,
          listeningProcess(port),
        ]),
      ];
      const errors = { reads: 0, writes: 0, subscriptions: 0 };
      let events = 0;
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
        clients.push(client);
        client.subscribe(
          { query: 'subscription($id: ID) { inventoryChanged(productId: $id) { stock } }', variables: { id: written } },
          { next: () => void events++, error: () => void errors.subscriptions++, complete: () => undefined },
        );
      }
      // Every subscriber live before the load: one restock, heard by all of them (30 s at most), not counted.
      const restock = `mutation { restock(input: { productId: "${written}", quantity: 1 }) { stock } }`;
      await graphqlRequest(url, restock, undefined, { headers });
      for (let waited = 0; events < SUBSCRIBERS && waited < 30_000; waited += 100)
        await new Promise((resolve) => setTimeout(resolve, 100));
      events = 0;
      const cpuBefore = processes.map(([, process]) => process.cpuSeconds());
      const samples: number[][] = [];
      const sample = () => samples.push(processes.map(([, process]) => process.rssMiB()));
      sample();
      const heapBefore = await gatewayHeap();
      const sampler = setInterval(sample, SAMPLE_EVERY_MS);
      const endAt = Date.now() + knobs.soakSeconds * 1000;
      let writes = 0;
      const writer = (async () => {
        for (let round = 0; Date.now() < endAt; round++) {
          const mutation =
            round % 2 === 0
              ? `mutation { placeOrder(input: { userId: "${buyer}", items: [{ productId: "${written}", quantity: 1 }] }) { id } }`
              : restock;
          const answer = await graphqlRequest(url, mutation, undefined, { headers }).catch(() => ({ errors: [1] }));
          if (answer.errors) errors.writes++;
          else writes++;
          await new Promise((resolve) => setTimeout(resolve, WRITE_EVERY_MS));
        }
      })();
      const reads = await load(
        url,
        [JSON.stringify({ query: PRODUCT_PAGE, variables: { id: read } })],
        { seconds: knobs.soakSeconds, connections: READ_CONNECTIONS },
        headers,
      );
      await writer;
      clearInterval(sampler);
      sample();
      const heapAfter = await gatewayHeap();
      // Every write changes the written product's stock: one event each for every subscriber, the last
      // ones still on their way when the load stops (waited for, 10 s at most).
      const expected = writes * SUBSCRIBERS;
      for (let waited = 0; events < expected && waited < 10_000; waited += 100)
        await new Promise((resolve) => setTimeout(resolve, 100));
      errors.reads = reads.errors;
      const cpuSeconds = processes.reduce((sum, [, process], i) => sum + process.cpuSeconds() - cpuBefore[i]!, 0);
      const answered = reads.answered + writes;
      const warm = Math.floor(samples.length / 4);
      return processes.map(([name], i): Row => {
        const series = samples.map((row) => row[i]!);
        const steady = series.slice(warm);
        const growth = steady.at(-1)! - steady[0]!;
        return {
          scenario: 'soak',
          variant: `${knobs.soakSeconds} s mixed load`,
          side: name,
          ...(name === 'gateway'
            ? {
                rps: reads.rps,
                p50: reads.p50,
                p99: reads.p99,
                errors: errors.reads + errors.writes + errors.subscriptions,
                cpuUs: (cpuSeconds * 1e6) / answered,
              }
            : {}),
          peakRssMiB: Math.max(...series),
          extra: {
            'rss start MiB': Math.round(series[0]!),
            'rss after warm-up MiB': Math.round(steady[0]!),
            'rss end MiB': Math.round(series.at(-1)!),
            'growth after warm-up MiB': Math.round(growth),
            ...(name === 'gateway'
              ? {
                  [`steady ≤ ${GATEWAY_RSS_TARGET_MIB} MiB`]: Math.max(...steady) <= GATEWAY_RSS_TARGET_MIB,
                  // What of the RSS is live data: V8's used heap against the heap it holds, before and after.
                  'heap used MiB': `${heapBefore.used} → ${heapAfter.used}`,
                  'heap held MiB': `${heapBefore.total} → ${heapAfter.total}`,
                  writes,
                  'events received': events,
                  'events lost': expected - events,
                  'read errors': errors.reads,
                  'write errors': errors.writes,
                  'subscription errors': errors.subscriptions,
                }
              : {}),
          },
        };
      });
    } finally {
      for (const client of clients) await client.dispose();
      await bench.dispose();
    }
  },
};

/** The gateway's V8 heap from its metrics listener (prom-client's default metrics), in MiB. */
async function heapMiB(metricsUrl: string): Promise<{ used: number; total: number }> {
  const mib = async (name: string) => Math.round((await metricSum(metricsUrl, name)) / 2 ** 20);
  return { used: await mib('nodejs_heap_size_used_bytes'), total: await mib('nodejs_heap_size_total_bytes') };
}
