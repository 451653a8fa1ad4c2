import { listeningProcess } from '../lib/process.js';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { adminHeaders, startBenchStack } from '../lib/stack.js';
import { median, quantile } from '../lib/stats.js';
import { verify } from './e2e.js';

/** The product page with what lies below the fold (details, rating, reviews and their authors, images) deferred. */
const DEFERRED_PAGE = `query ProductPage($id: ID!) {
  product(id: $id) {
    sku name price { amount currency } stock
    ... @defer(label: "below-the-fold") {
      details { description category tags attributes }
      rating { average count histogram }
      reviews(first: 3) { edges { node { rating title author { name } } } }
      images { filename contentType size }
    }
  }
}`;
const WHOLE_PAGE = DEFERRED_PAGE.replace('... @defer(label: "below-the-fold") {', '... on Product {');

/** Pages in flight at once: a few browsers, not a load test (the other scenarios saturate). */
const CONCURRENCY = 4;
/** Pages per side and run, at most (the run also ends after BENCH_SECONDS). */
const MAX_PAGES = 2_000;

interface Timing {
  firstMs: number;
  wholeMs: number;
}

/**
 * One page over multipart HTTP, as Apollo Client asks for it: the time its
 * first part arrived (for an answer in one part, the whole) and the time the
 * last did, read from the body as it streams in.
 */
async function timedPage(url: string, body: string): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...adminHeaders(), 'content-type': 'application/json', accept: 'multipart/mixed, application/json' },
    body,
  });
  const multipart = response.headers.get('content-type')?.startsWith('multipart/') ?? false;
  let text = '';
  let firstMs: number | undefined;
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    text += decoder.decode(read.value, { stream: true });
    // A part is whole when the boundary after its JSON has come.
    if (firstMs === undefined && multipart && /\{[\s\S]*\r?\n---/.test(text)) firstMs = performance.now() - started;
  }
  const wholeMs = performance.now() - started;
  if (!response.ok || text.includes('"errors"')) throw new Error(`the page failed: ${response.status} ${text}`);
  return { firstMs: firstMs ?? wholeMs, wholeMs };
}

/** Pages from CONCURRENCY clients until `seconds` have passed or MAX_PAGES were answered. */
async function timedPages(url: string, body: string, seconds: number): Promise<Timing[]> {
  const timings: Timing[] = [];
  const deadline = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline && timings.length < MAX_PAGES) timings.push(await timedPage(url, body));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  return timings;
}

/**
 * `@defer` on the whole stack: the product page of the seeded catalog's most
 * reviewed product, whole versus with its MongoDB and S3 fields deferred, over
 * multipart HTTP from a few clients at once. Reports the time to the first part
 * against the time to the whole answer (p50 and p99), and the gateway's CPU per
 * page: deferred operations run on the runtime's JavaScript planner, whole
 * pages on the Rust one.
 */
export const defer: Scenario = {
  name: 'defer',
  description: 'product page whole vs with reviews, images and details deferred: time to first part vs whole answer',
  async run(knobs) {
    const bench = await startBenchStack();
    try {
      const url = bench.stack.gatewayUrl;
      type Listed = { products: { edges: { node: { id: string; reviews: { totalCount: number } } }[] } };
      const listed = (
        await verify(url, '{ products(first: 50) { edges { node { id reviews { totalCount } } } } }', adminHeaders())
      ).data as Listed;
      const [best] = listed.products.edges
        .map((edge) => edge.node)
        .sort((a, b) => b.reviews.totalCount - a.reviews.totalCount);
      if (!best) throw new Error('the seeded catalog has no products');
      const variables = { id: best.id };
      const sides = [
        { side: 'whole page (Rust planner)', body: JSON.stringify({ query: WHOLE_PAGE, variables }) },
        { side: 'below the fold deferred (JS planner)', body: JSON.stringify({ query: DEFERRED_PAGE, variables }) },
      ];
      const gateway = listeningProcess(new URL(url).port);
      const samples = new Map<string, { timings: Timing[]; cpuUs: number[] }>(
        sides.map(({ side }) => [side, { timings: [], cpuUs: [] }]),
      );
      for (const { body } of sides) await timedPages(url, body, knobs.warmupSeconds);
      for (let run = 0; run < knobs.runs; run++) {
        for (const { side, body } of run % 2 === 0 ? sides : [...sides].reverse()) {
          const cpuBefore = gateway.cpuSeconds();
          const timings = await timedPages(url, body, knobs.seconds);
          const sample = samples.get(side)!;
          sample.timings.push(...timings);
          sample.cpuUs.push(((gateway.cpuSeconds() - cpuBefore) * 1e6) / timings.length);
          process.stderr.write(
            `  defer ${side}: ${timings.length} pages, first part p50 ${median(timings.map((t) => t.firstMs)).toFixed(1)} ms, whole p50 ${median(timings.map((t) => t.wholeMs)).toFixed(1)} ms\n`,
          );
        }
      }
      return sides.map(({ side }): Row => {
        const { timings, cpuUs } = samples.get(side)!;
        const first = timings.map((t) => t.firstMs);
        const whole = timings.map((t) => t.wholeMs);
        return {
          scenario: 'defer',
          variant: `product page, ${best.reviews.totalCount} reviews, ${CONCURRENCY} clients`,
          side,
          p50: median(whole),
          p99: quantile(whole, 0.99),
          cpuUs: median(cpuUs),
          peakRssMiB: gateway.peakRssMiB(),
          errors: 0,
          runs: knobs.runs,
          extra: {
            'first part p50 ms': Number(median(first).toFixed(2)),
            'first part p99 ms': Number(quantile(first, 0.99).toFixed(2)),
            'whole p50 ms': Number(median(whole).toFixed(2)),
            pages: timings.length,
          },
        };
      });
    } finally {
      await bench.dispose();
    }
  },
};
