import { Agent, request } from 'node:http';
import { loadConfig } from '@polystore/common';
import { listeningProcess, startComponent } from '../lib/process.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { startBenchStack } from '../lib/stack.js';
import { median, quantile } from '../lib/stats.js';
import { E2E_QUERIES, verify } from './e2e.js';

/** One POST; its status. */
function post(url: string, agent: Agent, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const agentFrom = (localAddress: string) => new Agent({ keepAlive: true, maxSockets: 1, localAddress } as never);

/**
 * Ordinary traffic: one anonymous client asking for a product page every
 * `pauseMs` for `seconds` (within its rate-limit budget); each request's latency.
 */
async function ordinary(
  url: string,
  seconds: number,
  pauseMs: number,
): Promise<{ latencies: number[]; failed: number }> {
  const agent = agentFrom('127.0.0.1');
  const body = JSON.stringify({ query: E2E_QUERIES['product page'] });
  const latencies: number[] = [];
  let failed = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    const status = await post(url, agent, body);
    latencies.push(performance.now() - started);
    if (status !== 200) failed++;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  agent.destroy();
  return { latencies, failed };
}

/** Four attack loops in a process of their own, from addresses 127.0.0.<first…first+3>; stop() gives their answers by status. */
async function attackers(url: string, firstAddress: number) {
  // The probe's shape as large as the token limit allows (2,900 copies under the old 3,000).
  const fields = loadConfig(process.env).gateway.limits.maxTokens - 12;
  const loops = await startComponent('attack loops', new URL('../fixtures/attack-loops.ts', import.meta.url), [
    url,
    '4',
    String(firstAddress),
    String(fields),
  ]);
  const answered = new Promise<Record<string, number>>((resolve) =>
    loops.child.on('message', (message: { statuses?: Record<string, number> }) => {
      if (message.statuses) resolve(message.statuses);
    }),
  );
  return {
    async stop() {
      await loops.stop();
      return answered;
    },
  };
}

/**
 * What four anonymous attackers do to everyone else: the probe's request (2,900
 * copies of one field, a fresh operation name each time, about a second of gateway
 * CPU each before the selection limits) sent back to back by four loops, each from
 * an address of its own, while an ordinary client reads product pages. The whole
 * stack as `npm start` runs it, with the rate limit at its default. The ordinary
 * client's p50 alone and under attack, alternating which goes first, median of the
 * runs; target: under attack at most 2x.
 */
export const attack: Scenario = {
  name: 'attack',
  description: "ordinary traffic's p50 alone and while 4 anonymous loops send the probe's costly query (target <= 2x)",
  async run(knobs) {
    const { requests, windowSeconds } = loadConfig({}).gateway.rateLimit;
    // The ordinary client stays within its budget: one request per pause.
    const pauseMs = Math.ceil((windowSeconds * 1000) / requests) + 20;
    const bench = await startBenchStack({
      env: { GATEWAY_RATE_LIMIT: String(requests), GATEWAY_RATE_LIMIT_WINDOW_SECONDS: String(windowSeconds) },
    });
    try {
      const url = bench.stack.gatewayUrl;
      await verify(url, E2E_QUERIES['product page']);
      const gateway = listeningProcess(new URL(url).port);
      const seconds = Math.max(knobs.seconds, 5);
      const p50s = { alone: [] as number[], attacked: [] as number[] };
      const p99s = { alone: [] as number[], attacked: [] as number[] };
      const cpu = { alone: [] as number[], attacked: [] as number[] };
      const attackStatuses = new Map<string, number>();
      let failed = 0;
      for (let run = 0; run < knobs.runs; run++) {
        const order: ('alone' | 'attacked')[] = run % 2 === 0 ? ['alone', 'attacked'] : ['attacked', 'alone'];
        for (const side of order) {
          // Attackers from fresh addresses every run: each starts with a whole budget, as in an attack's first minute.
          const loops = side === 'attacked' ? await attackers(url, 2 + 4 * run) : undefined;
          if (loops) await new Promise((resolve) => setTimeout(resolve, 1_000));
          const cpuBefore = gateway.cpuSeconds();
          const started = performance.now();
          const result = await ordinary(url, seconds, pauseMs);
          cpu[side].push((gateway.cpuSeconds() - cpuBefore) / ((performance.now() - started) / 1000));
          for (const [status, count] of Object.entries((await loops?.stop()) ?? {})) {
            attackStatuses.set(status, (attackStatuses.get(status) ?? 0) + count);
          }
          failed += result.failed;
          p50s[side].push(quantile(result.latencies, 0.5));
          p99s[side].push(quantile(result.latencies, 0.99));
          process.stderr.write(
            `  attack run ${run + 1}/${knobs.runs} ${side}: p50 ${quantile(result.latencies, 0.5).toFixed(1)} ms over ${result.latencies.length} requests\n`,
          );
        }
      }
      const row = (side: 'alone' | 'attacked', name: string): Row => ({
        scenario: 'attack',
        variant: `ordinary product page, rate limit ${requests}/${windowSeconds}s`,
        side: name,
        p50: median(p50s[side]),
        p99: median(p99s[side]),
        cpu: median(cpu[side]),
        errors: failed,
        runs: p50s[side].length,
      });
      const alone = row('alone', 'alone');
      const attacked = row('attacked', 'under 4 attack loops');
      attacked.extra = {
        'x p50': Number((attacked.p50! / alone.p50!).toFixed(2)),
        ...Object.fromEntries(
          [...attackStatuses].map(([status, count]) => [`attack ${status === '0' ? 'error' : status}`, count]),
        ),
      };
      return [alone, attacked];
    } finally {
      await bench.dispose();
    }
  },
};
