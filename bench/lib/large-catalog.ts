import { connectServiceCache, loadConfig, Teardown, type Logger } from '@polystore/common';
import { reviewIdOf, reviewObjectId, SEARCH_CATCH_UP } from '@polystore/mongo-subgraph/seed';
import { createStorageCache, createS3Store, putProductImage } from '@polystore/storage-subgraph/seed';
import { sampleFile } from '@polystore/testing';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { verify } from '../scenarios/e2e.js';
import { adminHeaders } from './stack.js';

export const LARGE_CATALOG = { users: 1_000, products: 10_000, orders: 25_000, itemsPerOrder: 4 } as const;
/** Products with reviews (two each) and products with an image (every tenth). */
const REVIEWED_PRODUCTS = 5_000;
const IMAGE_EVERY = 10;

/**
 * Loads a catalog the size of a small shop straight into the stores of a bench
 * stack: 1k users, 10k products, 25k orders of 4 items (100k order items), two
 * reviews on each of 5k products, an image on every tenth product. Rows go in
 * with `session_replication_role = replica`, so the triggers stay quiet: no
 * outbox events (135k of them would still be relayed and consumed while the
 * bench measures) and no order checks at commit (the totals are set after the
 * items). It connects as DATABASE_URL, which the bench stack gives the
 * administrator: replica mode is a superuser's setting, and the services' role
 * may not write orders at all. The shapes are the services' own. Returns the product ids.
 */
export async function loadLargeCatalog(gatewayUrl: string, env: NodeJS.ProcessEnv, log: Logger): Promise<string[]> {
  const { users, products, orders, itemsPerOrder } = LARGE_CATALOG;
  // Every connection opened here is closed by this teardown, whatever fails.
  const teardown = new Teardown(log);
  try {
    // Heartbeats by polling: the embedded server does not understand streaming ones (docs/mongo.md).
    const mongo = new MongoClient(env.MONGO_URL!, { serverMonitoringMode: 'poll' });
    teardown.add('bench mongo client', () => mongo.close());
    await mongo.connect();
    const db = mongo.db(loadConfig(env).mongo.database);
    {
      // The mongo-subgraph's one-time search catch-up runs at its start; the bulk load comes
      // after it, or the catch-up would copy all 10k products while the bench measures.
      const deadline = Date.now() + 120_000;
      while (!(await db.collection('backfills').findOne({ name: SEARCH_CATCH_UP, completedAt: { $exists: true } }))) {
        if (Date.now() > deadline) throw new Error('the search catch-up did not complete within 120 s');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const sql = new pg.Client({ connectionString: env.DATABASE_URL });
    await sql.connect();
    let productIds: string[];
    let userIds: string[];
    try {
      await sql.query('SET session_replication_role = replica');
      await sql.query(
        `INSERT INTO users (email, name) SELECT 'bench-' || g || '@example.com', 'Bench user ' || g FROM generate_series(1, $1::int) g`,
        [users],
      );
      await sql.query(
        `INSERT INTO products (sku, name, price_amount, price_currency, stock)
       SELECT 'BENCH-' || lpad(g::text, 6, '0'), 'Bench product ' || g, 100 + g % 5000, 'EUR', 1000000
       FROM generate_series(1, $1::int) g`,
        [products],
      );
      userIds = (
        await sql.query<{ id: string }>(`SELECT id FROM users WHERE email LIKE 'bench-%' ORDER BY email`)
      ).rows.map((row) => row.id);
      productIds = (
        await sql.query<{ id: string }>(`SELECT id FROM products WHERE sku LIKE 'BENCH-%' ORDER BY sku`)
      ).rows.map((row) => row.id);
      // Order g belongs to user g mod users and holds products 4g .. 4g+3 (mod products), one unit each.
      await sql.query(
        `WITH u AS (SELECT $1::uuid[] AS ids), p AS (SELECT $2::uuid[] AS ids),
       placed AS (
         INSERT INTO orders (user_id, total_amount, currency)
         SELECT u.ids[1 + g % cardinality(u.ids)], 0, 'EUR' FROM generate_series(0, $3::int - 1) g, u
         RETURNING id
       ),
       numbered AS (SELECT id, row_number() OVER () - 1 AS g FROM placed)
       INSERT INTO order_items (order_id, product_id, quantity, unit_price_amount)
       SELECT n.id, p.ids[1 + (n.g * $4::int + k) % cardinality(p.ids)], 1, 100
       FROM numbered n, p, generate_series(0, $4::int - 1) k`,
        [userIds, productIds, orders, itemsPerOrder],
      );
      await sql.query(
        `UPDATE orders o SET total_amount = t.total
       FROM (SELECT order_id, sum(quantity * unit_price_amount) AS total FROM order_items GROUP BY order_id) t
       WHERE o.id = t.order_id AND o.total_amount = 0`,
      );
      await sql.query(`INSERT INTO order_history (order_id, from_status, to_status) SELECT id, NULL, 'PENDING' FROM orders
       WHERE NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = orders.id)`);
    } finally {
      await sql.end();
    }

    // The category through the API (its definition is validated there), the documents straight in.
    await verify(
      gatewayUrl,
      `mutation { upsertCategory(input: { slug: "bench", name: "Bench", attributes: [
      { name: "weightKg", type: FLOAT, required: true }, { name: "colour", type: STRING } ] }) { slug } }`,
      adminHeaders(),
    );
    {
      const now = new Date();
      const reviews = productIds.slice(0, REVIEWED_PRODUCTS).flatMap((productId, i) =>
        [0, 1].map((n) => {
          const userId = userIds[(i * 2 + n) % userIds.length]!;
          const id = reviewIdOf(productId, userId);
          return {
            _id: reviewObjectId(id),
            id,
            productId,
            userId,
            rating: 1 + ((i + n) % 5),
            title: `Review ${n + 1}`,
            body: 'Does what it says.',
            createdAt: now,
            updatedAt: now,
          };
        }),
      );
      // Each document keeps its product's rating copy, as the mongo-subgraph writes it after every review.
      const stars = new Map<string, { sum: number; count: number }>();
      for (const review of reviews) {
        const seen = stars.get(review.productId) ?? { sum: 0, count: 0 };
        stars.set(review.productId, { sum: seen.sum + review.rating, count: seen.count + 1 });
      }
      const ratings = new Map(
        [...stars].map(([productId, { sum, count }]) => [
          productId,
          { average: Math.round((sum / count) * 100) / 100, count },
        ]),
      );
      for (let start = 0; start < productIds.length; start += 1_000) {
        await db.collection('product_details').insertMany(
          productIds.slice(start, start + 1_000).map((productId, i) => ({
            productId,
            description: `A bench product, number ${start + i + 1}, with a description long enough to look real.`,
            category: 'bench',
            tags: ['bench', `group-${(start + i) % 20}`],
            attributes: { weightKg: 0.5 + ((start + i) % 40) / 10, colour: ['red', 'green', 'blue'][(start + i) % 3] },
            name: `Bench product ${start + i + 1}`,
            sku: `BENCH-${String(start + i + 1).padStart(6, '0')}`,
            productCreatedAt: now,
            createdAt: now,
            updatedAt: now,
            ...(ratings.has(productId) ? { rating: ratings.get(productId) } : {}),
          })),
        );
      }
      for (let start = 0; start < reviews.length; start += 1_000)
        await db.collection('reviews').insertMany(reviews.slice(start, start + 1_000));
    }

    {
      const config = loadConfig(env);
      const s3 = createS3Store(config, teardown);
      // Written as the storage-subgraph stores an upload, dropping any cached list.
      const { cache: settings } = await connectServiceCache({ config, log, teardown }, 's3');
      const writer = { s3, cache: createStorageCache(s3, settings) };
      const withImage = productIds.filter((_, i) => i % IMAGE_EVERY === 0);
      for (let start = 0; start < withImage.length; start += 20) {
        await Promise.all(
          withImage.slice(start, start + 20).map((productId) =>
            putProductImage(writer, productId, {
              filename: 'front.png',
              contentType: 'image/png',
              body: sampleFile('image/png', '', 2_048),
            }),
          ),
        );
      }
    }
    return productIds;
  } finally {
    await teardown.close();
  }
}
