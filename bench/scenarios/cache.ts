import { startPrivateRedis } from '@polystore/testing/stores';
import { Redis } from 'ioredis';
import { tracked } from '../lib/cleanup.js';
import { loadLargeCatalog, LARGE_CATALOG } from '../lib/large-catalog.js';
import { load, type LoadResult } from '../lib/load.js';
import { listeningProcess } from '../lib/process.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { adminHeaders, startBenchStack } from '../lib/stack.js';
import { median } from '../lib/stats.js';
import { verify } from './e2e.js';

/** A product page: fields from PostgreSQL, MongoDB (details, rating, reviews) and S3 (images), authors back in PostgreSQL. */
export const PRODUCT_PAGE = `query ProductPage($id: ID!) {
  product(id: $id) {
    sku name price { amount currency } stock salesCount
    details { description category tags attributes }
    rating { average count histogram }
    reviews(first: 3) { edges { node { rating title author { name } } } }
    images { filename contentType size }
  }
}`;

/** Products kept warm: each warm run first asks for every one of them once, uncounted. */
const WARM_PRODUCTS = 1_000;

/** Key reads that found or missed their key on this Redis since the last reset. */
async function keyspace(redis: Redis): Promise<{ hits: number; misses: number }> {
  const info = await redis.info('stats');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { hits: field('keyspace_hits'), misses: field('keyspace_misses') };
}

/**
 * What the Redis entity cache buys on a shop-sized catalog (10k products, 100k
 * order items, 10k reviews, 1k images): product pages by id through the gateway,
 * cold (every page a product not asked for since the cache was emptied, so every
 * entity is read from its store) versus warm (pages of 1k products already
 * cached). Runs alternate cold and warm; the medians are reported, with the
 * hit rate of Redis key reads during the counted runs (a Redis of the
 * scenario's own, so nothing else is counted). The gateway's response cache is
 * off: this is the subgraphs' entity cache alone.
 */
export const cache: Scenario = {
  name: 'cache',
  description: 'product pages on 10k products / 100k order items: cold vs warm Redis entity cache, hit rate',
  async run(knobs) {
    const redisServer = tracked(await startPrivateRedis());
    const redis = new Redis(redisServer.url);
    try {
      const bench = await startBenchStack({ redis: { url: redisServer.url, keyPrefix: 'bench:' } });
      try {
        const started = performance.now();
        const productIds = await loadLargeCatalog(bench.stack.gatewayUrl, bench.env, bench.log);
        process.stderr.write(
          `  cache: loaded ${LARGE_CATALOG.products} products, ${LARGE_CATALOG.orders * LARGE_CATALOG.itemsPerOrder} order items in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
        );
        const bodies = productIds.map((id) => JSON.stringify({ query: PRODUCT_PAGE, variables: { id } }));
        const page = await verify(bench.stack.gatewayUrl, PRODUCT_PAGE, adminHeaders(), { id: productIds[0] });
        if (!(page.data as { product?: unknown }).product) throw new Error('the product page came back empty');
        const warm = bodies.slice(0, WARM_PRODUCTS);
        const cold = bodies.slice(WARM_PRODUCTS);
        const gateway = listeningProcess(new URL(bench.stack.gatewayUrl).port);
        type Sample = LoadResult & { hitRate: number; cpu: number };
        const samples: Record<'cold' | 'warm', Sample[]> = { cold: [], warm: [] };
        let coldNext = 0;
        const measure = async (side: 'cold' | 'warm') => {
          if (side === 'warm') {
            // Every warm page once, uncounted: from here on they come from Redis.
            await load(bench.stack.gatewayUrl, warm, { ...knobs, amount: warm.length }, adminHeaders());
          } else if (coldNext + knobs.seconds * 2_000 > cold.length) {
            // Not enough pages never asked for: start over on an empty cache.
            await emptyEntityCache(redis);
            coldNext = 0;
          }
          await redis.config('RESETSTAT');
          const cpuBefore = gateway.cpuSeconds();
          const result = await load(
            bench.stack.gatewayUrl,
            side === 'warm' ? warm : cold,
            knobs,
            adminHeaders(),
            side === 'warm' ? 0 : coldNext,
          );
          if (side === 'cold') coldNext += result.sent;
          const { hits, misses } = await keyspace(redis);
          samples[side].push({
            ...result,
            hitRate: hits / Math.max(1, hits + misses),
            cpu: (gateway.cpuSeconds() - cpuBefore) / knobs.seconds,
          });
          process.stderr.write(
            `  cache ${side}: ${result.rps.toFixed(0)} req/s p50 ${result.p50} ms p99 ${result.p99} ms, Redis hit rate ${((100 * hits) / Math.max(1, hits + misses)).toFixed(0)}%${result.errors ? ` ERRORS ${result.errors}` : ''}\n`,
          );
        };
        await emptyEntityCache(redis);
        for (let run = 0; run < knobs.runs; run++) {
          for (const side of run % 2 === 0 ? (['cold', 'warm'] as const) : (['warm', 'cold'] as const))
            await measure(side);
        }
        const row = (side: 'cold' | 'warm'): Row => {
          const results = samples[side];
          const pick = (key: 'rps' | 'p50' | 'p99' | 'mean' | 'hitRate' | 'cpu') => median(results.map((r) => r[key]));
          return {
            scenario: 'cache',
            variant: `product page, ${LARGE_CATALOG.products / 1000}k products`,
            side: `${side} entity cache`,
            rps: pick('rps'),
            p50: pick('p50'),
            p99: pick('p99'),
            mean: pick('mean'),
            cpu: pick('cpu'),
            peakRssMiB: gateway.peakRssMiB(),
            errors: results.reduce((sum, r) => sum + r.errors, 0),
            runs: results.length,
            extra: { 'hit rate': Number(pick('hitRate').toFixed(3)) },
          };
        };
        const [coldRow, warmRow] = [row('cold'), row('warm')];
        warmRow.extra = {
          ...warmRow.extra,
          'x rps': Number((warmRow.rps! / coldRow.rps!).toFixed(2)),
          'x p50': Number((warmRow.p50! / coldRow.p50!).toFixed(2)),
        };
        return [warmRow, coldRow];
      } finally {
        await bench.dispose();
      }
    } finally {
      redis.disconnect();
      await redisServer.dispose();
    }
  },
};

/** Removes the subgraphs' cached entities (`<prefix>sql:`, `mongo:`, `s3:`), leaving the event stream. */
async function emptyEntityCache(redis: Redis): Promise<void> {
  for (const pattern of ['bench:sql:*', 'bench:mongo:*', 'bench:s3:*']) {
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
      if (keys.length) await redis.del(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
  }
}
