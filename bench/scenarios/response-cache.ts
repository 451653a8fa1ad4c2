import { compareSides, ratio, type Side } from '../lib/compare.js';
import { listeningProcess } from '../lib/process.js';
import type { Scenario } from '../lib/scenario.js';
import { adminHeaders, RATE_LIMIT_ABOVE_THE_LOAD, startBenchStack } from '../lib/stack.js';
import { PRODUCT_PAGE } from './cache.js';
import { verify } from './e2e.js';

/** The most gateway CPU a response-cache hit should cost, in µs. */
const HIT_TARGET_US = 150;

/** Off on both sides: the computed one would otherwise mostly share answers in flight. */
const NO_INBOUND_DEDUPLICATION = { GATEWAY_DEDUPLICATE_QUERIES: 'false' };

/**
 * What a response-cache hit costs the gateway: the same product page (PostgreSQL,
 * MongoDB and S3 fields, authors back in PostgreSQL) for the same user, against
 * two stacks seeded alike, one with GATEWAY_RESPONSE_CACHE on (every counted
 * request a hit, answered before the runtime, `hits-before-runtime.ts`) and one
 * without (planned and fetched each time, the subgraphs' entity caches warm). The
 * gateway process's CPU per request is the figure. Inbound de-duplication is off
 * on both: with it the computed side would mostly share answers in flight.
 */
export const responseCache: Scenario = {
  name: 'response-cache',
  description: `a product page from the gateway's response cache vs computed each time: gateway CPU µs/req (target: a hit ≤ ${HIT_TARGET_US} µs)`,
  async run(knobs) {
    const cachedStack = await startBenchStack({
      env: { ...RATE_LIMIT_ABOVE_THE_LOAD, ...NO_INBOUND_DEDUPLICATION, GATEWAY_RESPONSE_CACHE: 'true' },
    });
    try {
      const computedStack = await startBenchStack({
        env: { ...RATE_LIMIT_ABOVE_THE_LOAD, ...NO_INBOUND_DEDUPLICATION },
      });
      try {
        const headers = adminHeaders();
        const sides: Side[] = [];
        const bodiesFor: Record<string, string> = {};
        for (const [name, bench] of [
          ['response cache hit', cachedStack],
          ['computed (no response cache)', computedStack],
        ] as const) {
          const url = bench.stack.gatewayUrl;
          const listed = await verify(url, '{ products(first: 1) { edges { node { id } } } }', headers);
          const id = (listed.data as { products: { edges: { node: { id: string } }[] } }).products.edges[0]!.node.id;
          await verify(url, PRODUCT_PAGE, headers, { id });
          sides.push({ name, url, component: listeningProcess(new URL(url).port), headers });
          bodiesFor[name] = JSON.stringify({ query: PRODUCT_PAGE, variables: { id } });
        }
        const [hit, computed] = await compareSides(
          'response-cache',
          'product page, one user',
          sides,
          [],
          knobs,
          bodiesFor,
        );
        hit!.extra = {
          'x cpu/req': ratio(hit!, computed!, 'cpuUs'),
          'x rps': ratio(hit!, computed!),
          'x p50': ratio(hit!, computed!, 'p50'),
          [`hit ≤ ${HIT_TARGET_US} µs`]: (hit!.cpuUs ?? Infinity) <= HIT_TARGET_US,
        };
        return [hit!, computed!];
      } finally {
        await computedStack.dispose();
      }
    } finally {
      await cachedStack.dispose();
    }
  },
};
