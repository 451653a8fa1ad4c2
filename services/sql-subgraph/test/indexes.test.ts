import { startSqlTestBed, type SqlTestBed } from './support/test-bed.js';

/**
 * Loads enough rows that a sequential scan would lose, then runs every read
 * path of the API and EXPLAINs each statement the subgraph actually sent:
 * no big table may be read sequentially, and each path's index is used.
 */
let bed: SqlTestBed;
const USERS = 4_000;
const PRODUCTS = 4_000;
const ORDERS = 40_000;

beforeAll(async () => {
  // The relay would spend the test publishing the bulk load; this test reads only.
  bed = await startSqlTestBed({ OUTBOX_POLL_INTERVAL_MS: '60000' });
  await bed.sql(
    `INSERT INTO users (email, name, created_at)
     SELECT 'user' || i || '@example.com', 'User ' || i, now() - i * interval '1 minute' FROM generate_series(1, $1) AS i`,
    [USERS],
  );
  await bed.sql(
    `INSERT INTO products (sku, name, price_amount, price_currency, stock, created_at)
     SELECT 'SKU-' || i, 'Product ' || i, 100 + i, 'USD', 1000, now() - i * interval '1 minute' FROM generate_series(1, $1) AS i`,
    [PRODUCTS],
  );
  // A bulk load, as an administrator would do it: orders and their items in one statement,
  // so each total matches its items when the deferred check runs at commit.
  await bed.sql(
    `WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users),
          p AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM products),
          placed AS (
            INSERT INTO orders (user_id, total_amount, currency, created_at)
            SELECT u.id, 100, 'USD', now() - i * interval '1 second'
            FROM generate_series(1, $1) AS i JOIN u ON u.n = 1 + (i % $2)
            RETURNING id),
          o AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM placed)
     INSERT INTO order_items (order_id, product_id, quantity, unit_price_amount)
     SELECT o.id, p.id, 1, 100 FROM o JOIN p ON p.n = 1 + (o.n % $3)`,
    [ORDERS, USERS, PRODUCTS],
  );
  await bed.sql(`UPDATE outbox SET published_at = now() WHERE id % 100 <> 0`);
  await bed.sql('ANALYZE');
}, 120_000);

afterAll(async () => {
  await bed?.dispose();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function* nodes(plan: PlanNode): Generator<PlanNode> {
  yield plan;
  for (const child of plan.Plans ?? []) yield* nodes(child);
}

async function explain(sql: string, parameters: unknown[]): Promise<PlanNode[]> {
  const [row] = await bed.sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
  return [...nodes(row!['QUERY PLAN'][0].Plan)];
}

const BIG_TABLES = new Set(['users', 'products', 'orders', 'order_items', 'order_history', 'outbox']);

/** Runs one GraphQL operation and returns the indexes its statements use, failing on any sequential scan of a big table. */
async function indexesUsedBy(query: string, variables: Record<string, unknown> = {}): Promise<Set<string>> {
  await bed.clearCache();
  bed.statements.length = 0;
  const response = await bed.gql(query, variables);
  expect(response.errors).toBeUndefined();
  const used = new Set<string>();
  const reads = bed.statements.filter(({ sql }) => /^\s*(SELECT|WITH)/i.test(sql));
  expect(reads.length).toBeGreaterThan(0);
  for (const { sql, parameters } of reads) {
    for (const node of await explain(sql, parameters)) {
      if (node['Node Type'] === 'Seq Scan' && BIG_TABLES.has(node['Relation Name'] ?? '')) {
        throw new Error(`sequential scan of ${node['Relation Name']} in:\n${sql}`);
      }
      if (node['Index Name']) used.add(node['Index Name']);
    }
  }
  return used;
}

async function anyId(table: string): Promise<string> {
  const [row] = await bed.sql<{ id: string }>(`SELECT id FROM ${table} ORDER BY id LIMIT 1 OFFSET 17`);
  return row!.id;
}

describe('every access path uses its index', () => {
  it('users by id and by page, with their orders page, order count and summary view', async () => {
    const userId = await anyId('users');
    const page = await bed.gql(`{ users(first: 3) { pageInfo { endCursor } } }`);
    const used = await indexesUsedBy(
      `query ($id: ID!, $after: String) {
        user(id: $id) { email orders(first: 5) { totalCount edges { node { id } } } orderSummary { orderCount } }
        users(first: 5, after: $after) { edges { node { id } } }
      }`,
      { id: userId, after: page.data!.users.pageInfo.endCursor },
    );
    expect([...used]).toEqual(
      expect.arrayContaining(['users_pkey', 'users_created_at_id_idx', 'orders_user_created_idx']),
    );
  });

  it('products by id, by sku and by page, with sales from the view', async () => {
    const productId = await anyId('products');
    const page = await bed.gql(`{ products(first: 3) { pageInfo { endCursor } } }`);
    const used = await indexesUsedBy(
      `query ($id: ID!, $after: String) {
        product(id: $id) { sku salesCount }
        productBySku(sku: "SKU-42") { id }
        products(first: 5, after: $after) { edges { node { id } } }
      }`,
      { id: productId, after: page.data!.products.pageInfo.endCursor },
    );
    expect([...used]).toEqual(
      expect.arrayContaining([
        'products_pkey',
        'products_sku_key',
        'products_created_at_id_idx',
        'order_items_product_idx',
      ]),
    );
  });

  it('an order with its items, products, user and history', async () => {
    const orderId = await anyId('orders');
    const used = await indexesUsedBy(
      `query ($id: ID!) { order(id: $id) { user { id } items { quantity product { sku } } history { to } } }`,
      { id: orderId },
    );
    expect([...used]).toEqual(expect.arrayContaining(['orders_pkey', 'order_items_pkey', 'order_history_order_idx']));
  });

  it('the outbox relay reads only unpublished rows through the partial index', async () => {
    const plan = await explain(
      `SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 200 FOR UPDATE SKIP LOCKED`,
      [],
    );
    expect(plan.some((node) => node['Node Type'] === 'Seq Scan')).toBe(false);
    expect(plan.map((node) => node['Index Name'])).toContain('outbox_unpublished_idx');
  });
});
