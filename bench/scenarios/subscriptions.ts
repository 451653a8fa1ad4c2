import { graphqlRequest } from '@polystore/common';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { listeningProcess } from '../lib/process.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { adminHeaders, startBenchStack } from '../lib/stack.js';
import { median, quantile } from '../lib/stats.js';

const LEVELS = [1_000, 5_000, 10_000];
const EVENTS_PER_SECOND = 2;
const CONNECT_BATCH = 250;

/**
 * Live subscribers on one gateway process: 1k, then 5k, then 10k graphql-ws
 * clients (one WebSocket each, as browsers) subscribe to inventoryChanged of
 * one product; a restock mutation at a fixed rate goes the real event path
 * (mutation → outbox row → relay → Redis → sql-subgraph → gateway → clients).
 * Latency is from sending the mutation to each client's receipt; every
 * subscriber must get every event. The soft fd limit here is already 20000
 * (= hard); the bench checks it instead of raising it.
 */
export const subscriptions: Scenario = {
  name: 'subscriptions',
  description: 'graphql-ws subscribers 1k/5k/10k on one gateway: delivery p50/p99, lost events, memory per subscriber',
  async run(knobs) {
    const levels = LEVELS.filter((n) => n <= knobs.subscribers);
    if (!levels.length || levels.at(-1)! < knobs.subscribers) levels.push(knobs.subscribers);
    const bench = await startBenchStack();
    const clients: Client[] = [];
    try {
      const url = bench.stack.gatewayUrl;
      const gateway = listeningProcess(new URL(url).port);
      const product = await graphqlRequest(url, '{ products(first: 1) { edges { node { id stock } } } }', undefined, {
        headers: adminHeaders(),
      });
      const productId = (product.data as { products: { edges: { node: { id: string } }[] } }).products.edges[0]!.node
        .id;
      // Per event (identified by the stock it announces): when its mutation was sent, and who got it.
      const sentAt = new Map<number, number>();
      const latencies = new Map<number, number[]>();
      const subscribe = () =>
        new Promise<void>((resolve, reject) => {
          const client = createClient({
            url: url.replace(/^http/, 'ws'),
            webSocketImpl: WebSocket,
            lazy: true,
            retryAttempts: 0,
          });
          clients.push(client);
          let acknowledged = false;
          client.on('connected', () => {
            acknowledged = true;
            // graphql-ws acknowledges the connection before the subscription starts; a short settle follows below.
            resolve();
          });
          client.subscribe(
            {
              query: 'subscription($id: ID) { inventoryChanged(productId: $id) { id stock } }',
              variables: { id: productId },
            },
            {
              next: (result) => {
                const stock = (result.data as { inventoryChanged?: { stock: number } } | undefined)?.inventoryChanged
                  ?.stock;
                const sent = stock === undefined ? undefined : sentAt.get(stock);
                if (sent !== undefined) latencies.get(stock!)!.push(performance.now() - sent);
              },
              error: (err) =>
                acknowledged ? undefined : reject(new Error(`subscriber could not connect: ${String(err)}`)),
              complete: () => undefined,
            },
          );
        });
      const baseRss = gateway.rssMiB();
      const rows: Row[] = [];
      let stock = (product.data as { products: { edges: { node: { stock: number } }[] } }).products.edges[0]!.node
        .stock;
      for (const level of levels) {
        try {
          const connectStarted = performance.now();
          while (clients.length < level) {
            const batch = Math.min(CONNECT_BATCH, level - clients.length);
            await Promise.all(Array.from({ length: batch }, subscribe));
          }
          // Let the last subscriptions reach the subgraph before the first event.
          await new Promise((r) => setTimeout(r, 2_000));
          const connectSeconds = (performance.now() - connectStarted) / 1000;
          const rss = gateway.rssMiB();
          // `runs` rounds of events on the same subscribers; the median round is reported.
          const rounds: { p50: number; p99: number; lost: number; events: number }[] = [];
          for (let round = 0; round < knobs.runs; round++) {
            const phase: number[] = [];
            for (let i = 0; i < knobs.events; i++) {
              stock += 1;
              sentAt.set(stock, performance.now());
              latencies.set(stock, []);
              phase.push(stock);
              const result = await graphqlRequest(
                url,
                'mutation($input: RestockInput!) { restock(input: $input) { stock } }',
                { input: { productId, quantity: 1 } },
                { headers: adminHeaders() },
              );
              if (result.errors) throw new Error(`restock failed: ${JSON.stringify(result.errors)}`);
              await new Promise((r) => setTimeout(r, 1000 / EVENTS_PER_SECOND));
            }
            // Bounded wait for stragglers.
            const deadline = performance.now() + 15_000;
            const delivered = () => phase.reduce((sum, s) => sum + latencies.get(s)!.length, 0);
            while (delivered() < level * phase.length && performance.now() < deadline)
              await new Promise((r) => setTimeout(r, 200));
            const all = phase.flatMap((s) => latencies.get(s)!);
            const lost = level * phase.length - all.length;
            rounds.push({ p50: quantile(all, 0.5), p99: quantile(all, 0.99), lost, events: phase.length });
            process.stderr.write(
              `  subscriptions ${level} round ${round + 1}/${knobs.runs}: delivered ${all.length}/${level * phase.length}, p50 ${quantile(all, 0.5).toFixed(0)} ms p99 ${quantile(all, 0.99).toFixed(0)} ms\n`,
            );
          }
          const lost = rounds.reduce((sum, r) => sum + r.lost, 0);
          const events = rounds.reduce((sum, r) => sum + r.events, 0);
          rows.push({
            scenario: 'subscriptions',
            variant: `${level} subscribers`,
            side: 'polystore',
            p50: median(rounds.map((r) => r.p50)),
            p99: median(rounds.map((r) => r.p99)),
            peakRssMiB: rss,
            errors: lost,
            runs: rounds.length,
            extra: {
              events,
              lost,
              'KiB/subscriber': Number((((rss - baseRss) * 1024) / level).toFixed(1)),
              'connect s': Number(connectSeconds.toFixed(1)),
            },
          });
        } catch (err) {
          // A level that breaks the stack is a result too: record it and try no larger one.
          const message = err instanceof Error ? err.message : String(err);
          process.stderr.write(`  subscriptions ${level}: FAILED ${message}\n`);
          rows.push({
            scenario: 'subscriptions',
            variant: `${level} subscribers`,
            side: 'polystore',
            extra: { failed: message.slice(0, 160) },
          });
          break;
        }
      }
      return rows;
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
      await bench.dispose();
    }
  },
};
