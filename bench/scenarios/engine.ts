import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { freePort } from '@polystore/embedded';
import { testRedis } from '@polystore/testing/stores';
import { compareSides, ratio } from '../lib/compare.js';
import { startComponent, type Component } from '../lib/process.js';
import type { Row } from '../lib/row.js';
import { tracked } from '../lib/cleanup.js';
import type { Scenario } from '../lib/scenario.js';
import { ENGINE_SDL, ENGINE_SUBGRAPHS } from '../fixtures/engine-subgraphs.js';
import { verify } from './e2e.js';

const FRAGMENTS = `
fragment U on User { id username name }
fragment R on Review { id body }
fragment P on Product { inStock name price shippingEstimate upc weight }`;

/** The public gateway benchmarks' query: products → reviews → authors → their reviews → products. */
export const ENGINE_QUERY = `query TestQuery {
  users { ...U reviews { ...R product { ...P reviews { ...R author { ...U reviews { ...R product { ...P } } } } } } }
  topProducts { ...P reviews { ...R author { ...U reviews { ...R product { ...P } } } } }
}${FRAGMENTS}`;

/** Distinct documents (different list sizes and aliases): nothing to share between requests. */
export const distinctQueries = (count: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      `query Q${i} { top${i}: topProducts(first: ${1 + (i % 10)}) { ...P reviews { ...R author { ...U reviews { ...R product { ...P } } } } } }${FRAGMENTS}`,
  );

export function engineSupergraph(urls: Record<string, string>): string {
  const result = composeServices(
    ENGINE_SUBGRAPHS.map((name) => ({ name, url: urls[name]!, typeDefs: parse(ENGINE_SDL[name]) })),
  );
  if (result.errors)
    throw new Error(`engine fixture composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}

/** Starts the in-memory subgraphs and writes their supergraph; shared with the overhead scenario. */
export async function startEngineFixture(dir: string) {
  const ports = await Promise.all(ENGINE_SUBGRAPHS.map(() => freePort()));
  const subgraphs = await startComponent(
    'engine fixture subgraphs',
    new URL('../fixtures/engine-subgraphs.ts', import.meta.url),
    ports.map(String),
  );
  const urls = subgraphs.ready.urls as Record<string, string>;
  const supergraphFile = join(dir, 'engine-supergraph.graphql');
  await writeFile(supergraphFile, engineSupergraph(urls));
  return { subgraphs, urls, supergraphFile };
}

export async function startOurGateway(
  supergraphFile: string,
  dedupe: boolean,
  redis: { url: string; keyPrefix: string },
  execArgv: string[] = [],
) {
  return startComponent(
    `polystore gateway (${dedupe ? 'dedupe' : 'no dedupe'})`,
    new URL('../fixtures/polystore-gateway.ts', import.meta.url),
    [supergraphFile, String(await freePort()), dedupe ? 'dedupe' : 'no-dedupe'],
    {
      execArgv,
      env: { ...process.env, LOG_LEVEL: 'warn', REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix },
    },
  );
}

export const startBaseline = async (supergraphFile: string) =>
  startComponent('@apollo/gateway (baseline)', new URL('../fixtures/apollo-gateway.ts', import.meta.url), [
    supergraphFile,
    String(await freePort()),
  ]);

/**
 * The engine alone: in-memory subgraphs, so the gateway is the only cost.
 * Our gateway process as shipped, with subgraph request de-duplication on
 * and off, against @apollo/gateway + @apollo/server; the same deep query from
 * every client, then a workload of distinct queries.
 * BENCH_CPU_PROFILE=dir writes a --cpu-prof profile of our gateway there.
 */
export const engine: Scenario = {
  name: 'engine',
  description:
    'gateway engine on in-memory subgraphs: ours (dedupe on/off) vs @apollo/gateway, same and distinct queries',
  async run(knobs) {
    const dir = await mkdtemp(join(tmpdir(), 'polystore-bench-engine-'));
    const redis = tracked(await testRedis());
    const folder = tracked({ dispose: () => rm(dir, { recursive: true, force: true }) });
    const started: Component[] = [];
    const profileDir = process.env.BENCH_CPU_PROFILE;
    try {
      const fixture = await startEngineFixture(dir);
      started.push(fixture.subgraphs);
      const baseline = await startBaseline(fixture.supergraphFile);
      started.push(baseline);
      const rows: Row[] = [];
      for (const dedupe of [true, false]) {
        const ours = await startOurGateway(
          fixture.supergraphFile,
          dedupe,
          redis,
          profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
        );
        started.push(ours);
        const sides = [
          { name: `polystore dedupe ${dedupe ? 'on' : 'off'}`, url: ours.ready.url as string, component: ours },
          { name: '@apollo/gateway', url: baseline.ready.url as string, component: baseline },
        ];
        const workloads: [string, string[]][] = [
          ['same deep query', [JSON.stringify({ query: ENGINE_QUERY })]],
          ['distinct queries', distinctQueries(40).map((query) => JSON.stringify({ query }))],
        ];
        for (const [variant, bodies] of workloads) {
          for (const side of sides)
            for (const body of bodies.slice(0, 3)) await verify(side.url, JSON.parse(body).query);
          const [a, b] = await compareSides(
            'engine',
            `${variant}, dedupe ${dedupe ? 'on' : 'off'}`,
            sides,
            bodies,
            knobs,
          );
          a!.extra = { 'x rps': ratio(a!, b!), 'x p50': ratio(a!, b!, 'p50'), 'x cpu/req': ratio(a!, b!, 'cpuUs') };
          rows.push(a!, b!);
        }
        await ours.stop();
      }
      return rows;
    } finally {
      for (const component of started.reverse()) await component.stop();
      await redis.dispose();
      await folder.dispose();
    }
  },
};
