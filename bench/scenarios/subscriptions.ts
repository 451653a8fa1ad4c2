import { availableParallelism } from 'node:os';
import { graphqlRequest } from '@polystore/common';
import { listeningProcess, startComponent, type Component } from '../lib/process.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { adminHeaders, startBenchStack } from '../lib/stack.js';
import { median, quantile, wallClockMs } from '../lib/stats.js';

const LEVELS = [1_000, 5_000, 10_000];
const EVENTS_PER_SECOND = 2;
/** Processes holding the clients: one per core, at least two. */
const SUBSCRIBER_PROCESSES = Math.max(2, availableParallelism());
const SUBSCRIPTION = 'subscription($id: ID) { inventoryChanged(productId: $id) { id stock } }';

/** Sends a subscriber process a command and waits for its answer (one command at a time per process). */
function ask<T>(subscribers: Component, command: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    subscribers.child.once('message', (answer: T & { error?: string }) =>
      answer.error ? reject(new Error(answer.error)) : resolve(answer),
    );
    subscribers.child.send(command);
  });
}

/**
 * Live subscribers on one gateway process: 1k, then 5k, then 10k graphql-ws
 * clients (one WebSocket each, as browsers) subscribe to inventoryChanged of
 * one product; a restock mutation at a fixed rate goes the real event path
 * (mutation → outbox row → relay → Redis → sql-subgraph → gateway → clients).
 * The clients live in SUBSCRIBER_PROCESSES processes of their own
 * (`bench/fixtures/subscribers.ts`), so this process only sends events and
 * counts. Latency is from sending the mutation to each client's receipt
 * (wall-clock, sub-millisecond, the same clock in every process); every
 * subscriber must get every event. The soft fd limit here is already 20000
 * (= hard); the bench checks it instead of raising it.
 */
export const subscriptions: Scenario = {
  name: 'subscriptions',
  description:
    'graphql-ws subscribers 1k/5k/10k on one gateway, clients in worker processes: delivery p50/p99, lost events, gateway CPU per delivery, memory per subscriber',
  async run(knobs) {
    const levels = LEVELS.filter((n) => n <= knobs.subscribers);
    if (!levels.length || levels.at(-1)! < knobs.subscribers) levels.push(knobs.subscribers);
    const bench = await startBenchStack();
    const workers: Component[] = [];
    try {
      for (let i = 0; i < SUBSCRIBER_PROCESSES; i++)
        workers.push(
          await startComponent(`subscribers ${i + 1}`, new URL('../fixtures/subscribers.ts', import.meta.url)),
        );
      const url = bench.stack.gatewayUrl;
      const gateway = listeningProcess(new URL(url).port);
      const product = await graphqlRequest(url, '{ products(first: 1) { edges { node { id stock } } } }', undefined, {
        headers: adminHeaders(),
      });
      const productId = (product.data as { products: { edges: { node: { id: string } }[] } }).products.edges[0]!.node
        .id;
      let subscribed = 0;
      /** Spreads `count` more subscribers over the processes. */
      const subscribe = async (count: number) => {
        await Promise.all(
          workers.map((worker, i) => {
            const share = Math.floor(count / workers.length) + (i < count % workers.length ? 1 : 0);
            return ask(worker, { add: share, url, query: SUBSCRIPTION, variables: { id: productId } });
          }),
        );
        subscribed += count;
      };
      /** Every receipt of these events, by event, as latencies from when each was sent. */
      const latenciesOf = async (sentAt: Map<number, number>) => {
        const reports = await Promise.all(
          workers.map((worker) => ask<{ received: Record<string, number[]> }>(worker, { report: [...sentAt.keys()] })),
        );
        return [...sentAt].map(([stock, sent]) =>
          reports.flatMap(({ received }) => (received[stock] ?? []).map((at) => at - sent)),
        );
      };
      const baseRss = gateway.rssMiB();
      const rows: Row[] = [];
      let stock = (product.data as { products: { edges: { node: { stock: number } }[] } }).products.edges[0]!.node
        .stock;
      for (const level of levels) {
        try {
          const connectStarted = performance.now();
          await subscribe(level - subscribed);
          // Let the last subscriptions reach the subgraph before the first event.
          await new Promise((r) => setTimeout(r, 2_000));
          const connectSeconds = (performance.now() - connectStarted) / 1000;
          const rss = gateway.rssMiB();
          // `runs` rounds of events on the same subscribers; the median round is reported.
          const rounds: { p50: number; p99: number; lost: number; events: number; cpuUs: number }[] = [];
          for (let round = 0; round < knobs.runs; round++) {
            const sentAt = new Map<number, number>();
            const cpuBefore = gateway.cpuSeconds();
            for (let i = 0; i < knobs.events; i++) {
              stock += 1;
              sentAt.set(stock, wallClockMs());
              const result = await graphqlRequest(
                url,
                'mutation($input: RestockInput!) { restock(input: $input) { stock } }',
                { input: { productId, quantity: 1 } },
                { headers: adminHeaders() },
              );
              if (result.errors) throw new Error(`restock failed: ${JSON.stringify(result.errors)}`);
              await new Promise((r) => setTimeout(r, 1000 / EVENTS_PER_SECOND));
            }
            // Bounded wait for stragglers: until every subscriber has every event, or 15 s.
            const deadline = performance.now() + 15_000;
            const received: number[][] = [...sentAt.keys()].map(() => []);
            for (;;) {
              (await latenciesOf(sentAt)).forEach((latencies, i) => received[i]!.push(...latencies));
              if (received.every((l) => l.length >= level) || performance.now() > deadline) break;
              await new Promise((r) => setTimeout(r, 200));
            }
            const cpuUs = ((gateway.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, received.flat().length);
            const all = received.flat();
            const lost = level * sentAt.size - all.length;
            rounds.push({ p50: quantile(all, 0.5), p99: quantile(all, 0.99), lost, events: sentAt.size, cpuUs });
            process.stderr.write(
              `  subscriptions ${level} round ${round + 1}/${knobs.runs}: delivered ${all.length}/${level * sentAt.size}, p50 ${quantile(all, 0.5).toFixed(0)} ms p99 ${quantile(all, 0.99).toFixed(0)} ms, gateway ${cpuUs.toFixed(0)} CPU µs per delivery\n`,
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
            cpuUs: median(rounds.map((r) => r.cpuUs)),
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
      await Promise.all(workers.map((worker) => worker.stop()));
      await bench.dispose();
    }
  },
};
