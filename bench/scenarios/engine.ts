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
import { cpuProfileArgs } from '../lib/cpu-profile.js';
import { adminHeaders, BENCH_AUTH_ENV, RATE_LIMIT_ABOVE_THE_LOAD } from '../lib/stack.js';
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

/** What a scenario on the engine fixture is given (`onEngineFixture`). */
export interface EngineBed {
  fixture: Awaited<ReturnType<typeof startEngineFixture>>;
  redis: { url: string; keyPrefix: string };
  /** Waits for a component and keeps it to be stopped at the end. */
  start<C extends Component>(component: Promise<C>): Promise<C>;
}

/**
 * Runs `work` on the in-memory subgraphs (in a folder of its own, with a Redis
 * prefix of its own), then stops every component it started, the last first.
 */
export async function onEngineFixture<T>(name: string, work: (bed: EngineBed) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `polystore-bench-${name}-`));
  const redis = tracked(await testRedis());
  const folder = tracked({ dispose: () => rm(dir, { recursive: true, force: true }) });
  const started: Component[] = [];
  const start = async <C extends Component>(component: Promise<C>) => {
    const running = await component;
    started.push(running);
    return running;
  };
  try {
    const fixture = await startEngineFixture(dir);
    started.push(fixture.subgraphs);
    return await work({ fixture, redis, start });
  } finally {
    for (const component of started.reverse()) await component.stop();
    await redis.dispose();
    await folder.dispose();
  }
}

export async function startOurGateway(
  supergraphFile: string,
  dedupe: boolean,
  redis: { url: string; keyPrefix: string },
  execArgv: string[] = [],
  env: NodeJS.ProcessEnv = {},
) {
  return startComponent(
    `polystore gateway (${dedupe ? 'dedupe' : 'no dedupe'})`,
    new URL('../fixtures/polystore-gateway.ts', import.meta.url),
    [supergraphFile, String(await freePort()), dedupe ? 'dedupe' : 'no-dedupe'],
    {
      execArgv,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.keyPrefix,
        // De-duplication off: neither identical queries nor identical subgraph requests share an answer.
        GATEWAY_DEDUPLICATE_QUERIES: String(dedupe),
        ...env,
      },
    },
  );
}

/**
 * Every production feature of ours on (the list): JWT verification of
 * the bench's token, subgraph signing, the rate limiter with a budget above the
 * load; limits, demand control, APQ and metrics are on by default.
 */
export const EVERY_FEATURE_ENV = { ...BENCH_AUTH_ENV, ...RATE_LIMIT_ABOVE_THE_LOAD };

/** Hive Gateway's runtime with the Rust planner and its own defaults, nothing of ours. */
export const startStockGateway = async (supergraphFile: string) =>
  startComponent('stock Hive Gateway', new URL('../fixtures/hive-gateway-cli.ts', import.meta.url), [
    supergraphFile,
    String(await freePort()),
  ]);

export const startBaseline = async (supergraphFile: string) =>
  startComponent('@apollo/gateway (baseline)', new URL('../fixtures/apollo-gateway.ts', import.meta.url), [
    supergraphFile,
    String(await freePort()),
  ]);

/** Each of our sides' CPU per request against the baselines' (`x cpu/req` against @apollo/gateway). */
function ratiosAgainstBaselines(rows: Row[]): void {
  const apollo = rows.find(({ side }) => side === '@apollo/gateway')!;
  const stock = rows.find(({ side }) => side === STOCK);
  for (const row of rows.filter(({ side }) => side.startsWith('polystore'))) {
    row.extra = {
      'x rps': ratio(row, apollo),
      'x p50': ratio(row, apollo, 'p50'),
      'x cpu/req': ratio(row, apollo, 'cpuUs'),
      ...(stock ? { 'x cpu/req vs stock': ratio(row, stock, 'cpuUs') } : {}),
    };
  }
}

const STOCK = 'stock Hive Gateway';

/**
 * The engine alone: in-memory subgraphs, so the gateway is the only cost.
 * With de-duplication on, four sides: ours with every production feature on
 * (a token verified, subgraph requests signed, the rate limit counted), ours
 * with its defaults (no token, no signing, no rate limit: limits, demand
 * control, APQ and metrics), stock Hive Gateway (the `@graphql-hive/gateway`
 * CLI: the same runtime and Rust planner, its own defaults, nothing of ours),
 * and @apollo/gateway + @apollo/server;
 * with it off, ours with its defaults against @apollo/gateway. The same deep
 * query from every client, then a workload of distinct queries.
 * BENCH_CPU_PROFILE=dir writes a --cpu-prof profile of our gateway there.
 */
export const engine: Scenario = {
  name: 'engine',
  description:
    'gateway engine on in-memory subgraphs: ours (every feature, defaults; dedupe on/off) vs stock Hive Gateway vs @apollo/gateway, same and distinct queries',
  async run(knobs) {
    return onEngineFixture('engine', async ({ fixture, redis, start }) => {
      const baseline = await start(startBaseline(fixture.supergraphFile));
      const stock = await start(startStockGateway(fixture.supergraphFile));
      const rows: Row[] = [];
      const profile = cpuProfileArgs();
      for (const dedupe of [true, false]) {
        const ours = await start(startOurGateway(fixture.supergraphFile, dedupe, redis, profile));
        const full = dedupe
          ? await start(startOurGateway(fixture.supergraphFile, true, redis, profile, EVERY_FEATURE_ENV))
          : undefined;
        const sides = [
          ...(full
            ? [
                {
                  name: 'polystore every feature',
                  url: full.ready.url as string,
                  component: full,
                  headers: adminHeaders(),
                },
              ]
            : []),
          {
            name: `polystore defaults, dedupe ${dedupe ? 'on' : 'off'}`,
            url: ours.ready.url as string,
            component: ours,
          },
          ...(dedupe ? [{ name: STOCK, url: stock.ready.url as string, component: stock }] : []),
          { name: '@apollo/gateway', url: baseline.ready.url as string, component: baseline },
        ];
        const workloads: [string, string[]][] = [
          ['same deep query', [JSON.stringify({ query: ENGINE_QUERY })]],
          ['distinct queries', distinctQueries(40).map((query) => JSON.stringify({ query }))],
        ];
        for (const [variant, bodies] of workloads) {
          for (const side of sides)
            for (const body of bodies.slice(0, 3)) await verify(side.url, JSON.parse(body).query, side.headers);
          const measured = await compareSides(
            'engine',
            `${variant}, dedupe ${dedupe ? 'on' : 'off'}`,
            sides,
            bodies,
            knobs,
          );
          ratiosAgainstBaselines(measured);
          rows.push(...measured);
        }
        await ours.stop();
        await full?.stop();
      }
      return rows;
    });
  },
};
