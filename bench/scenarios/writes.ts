import pg from 'pg';
import { graphqlRequest } from '@polystore/common';
import type { Row } from '../lib/row.js';
import type { Scenario } from '../lib/scenario.js';
import { adminHeaders, startBenchStack } from '../lib/stack.js';
import { median, quantile } from '../lib/stats.js';

const BUYERS = 50;
const PRODUCTS = 100;
/** Enough that the run measures orders, not refusals... */
const INITIAL_STOCK = 150;
/** ...except one hot product that every tenth order asks for: it sells out, which the oversell check needs. */
const HOT_STOCK = 25;

interface Run {
  placed: number;
  insufficient: number;
  failed: number;
  latencies: number[];
  seconds: number;
}

/** 50 buyers, each a loop of placeOrder calls (one to three units of a random product) for `seconds`. */
async function buyersRun(url: string, users: string[], products: string[], seconds: number): Promise<Run> {
  const run: Run = { placed: 0, insufficient: 0, failed: 0, latencies: [], seconds };
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    users.map(async (userId) => {
      while (performance.now() < deadline) {
        const productId = Math.random() < 0.1 ? products[0]! : products[Math.floor(Math.random() * products.length)]!;
        const quantity = 1 + Math.floor(Math.random() * 3);
        const started = performance.now();
        const body = await graphqlRequest(
          url,
          'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
          { input: { userId, items: [{ productId, quantity }] } },
          { headers: adminHeaders() },
        ).catch(() => ({ errors: [{ extensions: { code: 'NETWORK' } }] }));
        run.latencies.push(performance.now() - started);
        const code = (body.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code;
        if (!body.errors) run.placed++;
        else if (code === 'INSUFFICIENT_STOCK') run.insufficient++;
        else run.failed++;
      }
    }),
  );
  return run;
}

/**
 * placeOrder under contention: 50 concurrent buyers over 100 products of
 * 150 units each and one hot product of 25 that sells out; afterwards every product's stock must
 * equal its initial stock minus the units in its orders, never below zero.
 */
export const writes: Scenario = {
  name: 'writes',
  description: 'placeOrder: 50 concurrent buyers over 100 products, then the oversell check',
  async run(knobs) {
    const bench = await startBenchStack();
    const url = bench.stack.gatewayUrl;
    try {
      const create = async (query: string, input: unknown) => {
        const body = await graphqlRequest(url, query, { input }, { headers: adminHeaders() });
        if (body.errors) throw new Error(`seeding failed: ${JSON.stringify(body.errors)}`);
        return (Object.values(body.data as object)[0] as { id: string }).id;
      };
      const tag = Date.now().toString(36);
      const users: string[] = [];
      for (let i = 0; i < BUYERS; i++)
        users.push(
          await create('mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', {
            email: `buyer${i}-${tag}@bench.test`,
            name: `Buyer ${i}`,
          }),
        );
      const products: string[] = [];
      for (let i = 0; i < PRODUCTS; i++)
        products.push(
          await create('mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
            sku: `BENCH-${tag}-${i}`,
            name: `Bench product ${i}`,
            price: { amount: 100 + i, currency: 'EUR' },
            stock: i === 0 ? HOT_STOCK : INITIAL_STOCK,
          }),
        );
      const runs: Run[] = [];
      for (let i = 0; i < knobs.runs; i++) {
        const run = await buyersRun(url, users, products, knobs.seconds);
        process.stderr.write(
          `  writes run ${i + 1}/${knobs.runs}: ${run.placed} placed, ${run.insufficient} insufficient stock, ${run.failed} failed\n`,
        );
        runs.push(run);
      }
      // The oversell check, on the database itself.
      const client = new pg.Client({ connectionString: bench.postgres.url });
      client.on('error', () => undefined); // the database is dropped at the end, whatever happens here
      await client.connect();
      const { rows } = await client
        .query<{ bad: string; negative: string; sold: string; soldout: string }>(
          `SELECT count(*) FILTER (WHERE p.stock <> (CASE WHEN p.id = $4::uuid THEN $3::int ELSE $2::int END) - coalesce(s.units, 0)) AS bad,
                count(*) FILTER (WHERE p.stock < 0) AS negative,
                coalesce(sum(s.units), 0) AS sold,
                count(*) FILTER (WHERE p.stock = 0) AS soldout
           FROM products p
           LEFT JOIN (SELECT product_id, sum(quantity) AS units FROM order_items oi JOIN orders o ON o.id = oi.order_id
                       WHERE o.status <> 'CANCELLED' GROUP BY product_id) s ON s.product_id = p.id
          WHERE p.id = ANY($1::uuid[])`,
          [products, INITIAL_STOCK, HOT_STOCK, products[0]],
        )
        .finally(() => client.end());
      const check = rows[0]!;
      const oversold = Number(check.bad) + Number(check.negative);
      const row: Row = {
        scenario: 'writes',
        variant: `placeOrder, ${BUYERS} buyers, ${PRODUCTS} products`,
        side: 'polystore',
        rps: median(runs.map((r) => (r.placed + r.insufficient) / r.seconds)),
        p50: median(runs.map((r) => quantile(r.latencies, 0.5))),
        p99: median(runs.map((r) => quantile(r.latencies, 0.99))),
        errors: runs.reduce((sum, r) => sum + r.failed, 0),
        runs: runs.length,
        extra: {
          placed: runs.reduce((sum, r) => sum + r.placed, 0),
          'insufficient stock': runs.reduce((sum, r) => sum + r.insufficient, 0),
          'units sold': Number(check.sold),
          'sold out': Number(check.soldout),
          'stock mismatches': oversold,
          'oversell check': oversold === 0 ? 'pass' : 'FAIL',
        },
      };
      if (oversold) throw new Error(`oversell check failed: ${JSON.stringify(check)}`);
      return [row];
    } finally {
      await bench.dispose();
    }
  },
};
