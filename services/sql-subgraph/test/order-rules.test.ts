import pg from 'pg';
import { errorCodes, startForTest } from '@polystore/testing';
import { PLACE_ORDER, seedCatalog, startSqlTestBed, type SqlTestBed } from './support/test-bed.js';
import { createSqlSubgraph } from '../src/server.js';

/**
 * The order rules of docs/sql.md hold against any SQL session, not only the
 * API: the services' own role (DATABASE_URL, as a bug or a stolen connection
 * would use it) may not write orders at all but through the procedures, and
 * even the schema's owner cannot commit an order that breaks them.
 */
let bed: SqlTestBed;
beforeAll(async () => {
  bed = await startSqlTestBed();
});
afterAll(async () => {
  await bed?.dispose();
});

/** An order of 2 × 1000 USD, and a second product it does not hold. */
async function placeOne() {
  const { userId, productIds } = await seedCatalog(bed, [{ stock: 5 }, { stock: 5, price: 500 }]);
  const placed = await bed.gql(PLACE_ORDER, { input: { userId, items: [{ productId: productIds[0], quantity: 2 }] } });
  expect(errorCodes(placed)).toEqual([]);
  return { orderId: placed.data!.placeOrder.id as string, userId, productId: productIds[0]!, other: productIds[1]! };
}

const PERMISSION_DENIED = { code: '42501' };
const totalSpent = async (userId: string) =>
  (await bed.gql(`query ($id: ID!) { user(id: $id) { orderSummary { totalSpent { amount } } } }`, { id: userId })).data!
    .user.orderSummary.totalSpent;
const orderRow = async (orderId: string) =>
  (await bed.sql(`SELECT total_amount, currency FROM orders WHERE id = $1`, [orderId]))[0];

describe("as the services' role", () => {
  it('cannot change an order, its total or its currency, nor insert one without items', async () => {
    const { orderId, userId } = await placeOne();
    await expect(bed.serviceSql(`UPDATE orders SET total_amount = total_amount + 12345`)).rejects.toMatchObject(
      PERMISSION_DENIED,
    );
    await expect(bed.serviceSql(`UPDATE orders SET currency = 'EUR' WHERE id = $1`, [orderId])).rejects.toMatchObject(
      PERMISSION_DENIED,
    );
    await expect(
      bed.serviceSql(`INSERT INTO orders (user_id, total_amount, currency) VALUES ($1, 777, 'USD')`, [userId]),
    ).rejects.toMatchObject(PERMISSION_DENIED);
    await expect(bed.serviceSql(`UPDATE orders SET status = 'PAID' WHERE id = $1`, [orderId])).rejects.toMatchObject(
      PERMISSION_DENIED,
    );
    expect(await orderRow(orderId)).toEqual({ total_amount: '2000', currency: 'USD' });
    expect(await totalSpent(userId)).toEqual([{ amount: 2000 }]);
  });

  it('cannot add, change or remove order items, with or without the old session flag', async () => {
    const { orderId, productId, other } = await placeOne();
    // One implicit transaction (a multi-statement query), so the transaction-local flag is set for the insert.
    await expect(
      bed.serviceSql(
        `SELECT set_config('polystore.placing_order', 'on', true);
         INSERT INTO order_items (order_id, product_id, quantity, unit_price_amount) VALUES ('${orderId}', '${other}', 1, 0)`,
      ),
    ).rejects.toMatchObject(PERMISSION_DENIED);
    await expect(
      bed.serviceSql(`UPDATE order_items SET quantity = 99 WHERE order_id = $1`, [orderId]),
    ).rejects.toMatchObject(PERMISSION_DENIED);
    await expect(bed.serviceSql(`DELETE FROM order_items WHERE order_id = $1`, [orderId])).rejects.toMatchObject(
      PERMISSION_DENIED,
    );
    expect(await bed.sql(`SELECT product_id, quantity FROM order_items WHERE order_id = $1`, [orderId])).toEqual([
      { product_id: productId, quantity: 2 },
    ]);
    expect(await bed.stock(other)).toBe(5);
  });

  it('cannot write history or events, call the internal functions, or grant itself more', async () => {
    const { orderId } = await placeOne();
    await expect(
      bed.serviceSql(`INSERT INTO order_history (order_id, to_status) VALUES ($1, 'PAID')`, [orderId]),
    ).rejects.toMatchObject(PERMISSION_DENIED);
    await expect(
      bed.serviceSql(
        `INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload) VALUES ('OrderPlaced', 'Order', $1, '{}')`,
        [orderId],
      ),
    ).rejects.toMatchObject(PERMISSION_DENIED);
    await expect(
      bed.serviceSql(`SELECT write_outbox('OrderPlaced', 'Order', $1, '{}')`, [orderId]),
    ).rejects.toMatchObject(PERMISSION_DENIED);
    await expect(bed.serviceSql(`SELECT lock_order_for_transition($1, 'PAID')`, [orderId])).rejects.toMatchObject(
      PERMISSION_DENIED,
    );
    await expect(bed.serviceSql(`SELECT grant_roles(current_user, NULL)`)).rejects.toMatchObject(PERMISSION_DENIED);
  });

  it('still places, moves and cancels orders through the procedures, and runs the relay', async () => {
    const { orderId, userId, productId } = await placeOne();
    await bed.serviceSql(`SELECT update_order_status($1, 'PAID')`, [orderId]);
    await bed.serviceSql(`SELECT cancel_order($1)`, [orderId]);
    expect(await bed.stock(productId)).toBe(5);
    const [placed] = await bed.serviceSql<{ id: string }>(`SELECT place_order($1, $2::jsonb) AS id`, [
      userId,
      JSON.stringify([{ productId, quantity: 1 }]),
    ]);
    expect(await orderRow(placed!.id)).toEqual({ total_amount: '1000', currency: 'USD' });
    await bed.subgraph.flushOutbox();
    expect(await bed.serviceSql(`SELECT id FROM outbox WHERE published_at IS NULL`)).toEqual([]);
  });
});

describe("a sql-subgraph given only the services' role", () => {
  it('cannot migrate, and says which variable to set', async () => {
    await expect(
      startForTest(createSqlSubgraph, { DATABASE_URL: bed.databaseUrl, REDIS_URL: bed.redisServiceUrls.sql }),
    ).rejects.toThrow(/may not change the schema.*DATABASE_OWNER_URL/);
  });
});

describe('as the reporting role', () => {
  it('reads every table and view and writes nothing', async () => {
    const { orderId } = await placeOne();
    const url = new URL(bed.databaseUrl);
    url.username = bed.databaseEnv.DATABASE_READER_ROLE!;
    const reader = new pg.Client({ connectionString: url.toString() });
    await reader.connect();
    try {
      for (const table of ['orders', 'order_items', 'order_history', 'outbox', 'user_order_summary', 'product_sales']) {
        await expect(reader.query(`SELECT count(*) FROM ${table}`)).resolves.toBeDefined();
      }
      await expect(reader.query(`UPDATE orders SET total_amount = 0 WHERE id = $1`, [orderId])).rejects.toMatchObject(
        PERMISSION_DENIED,
      );
      await expect(reader.query(`UPDATE products SET stock = 0`)).rejects.toMatchObject(PERMISSION_DENIED);
      await expect(reader.query(`SELECT cancel_order($1)`, [orderId])).rejects.toMatchObject(PERMISSION_DENIED);
    } finally {
      await reader.end();
    }
  });
});

describe("as the schema's owner, the deferred checks refuse the commit", () => {
  it('of a total that is not the sum of its items', async () => {
    const { orderId, userId } = await placeOne();
    await expect(
      bed.sql(`UPDATE orders SET total_amount = total_amount + 12345 WHERE id = $1`, [orderId]),
    ).rejects.toMatchObject({ code: '23514', constraint: 'orders_total_is_items_sum' });
    expect(await orderRow(orderId)).toEqual({ total_amount: '2000', currency: 'USD' });
    expect(await totalSpent(userId)).toEqual([{ amount: 2000 }]);
  });

  it('of an order without items, whatever its total', async () => {
    const { orderId, userId } = await placeOne();
    for (const total of [0, 500]) {
      await expect(
        bed.sql(`INSERT INTO orders (user_id, total_amount, currency) VALUES ($1, $2, 'USD')`, [userId, total]),
      ).rejects.toMatchObject({ code: '23514', constraint: 'orders_have_items' });
    }
    await expect(bed.sql(`DELETE FROM order_items WHERE order_id = $1`, [orderId])).rejects.toMatchObject({
      code: '23514',
      constraint: 'orders_have_items',
    });
    expect(await bed.sql(`SELECT count(*)::int AS n FROM orders WHERE user_id = $1`, [userId])).toEqual([{ n: 1 }]);
  });

  it('of items added or changed behind the total', async () => {
    const { orderId, other } = await placeOne();
    await expect(
      bed.sql(`INSERT INTO order_items (order_id, product_id, quantity, unit_price_amount) VALUES ($1, $2, 1, 500)`, [
        orderId,
        other,
      ]),
    ).rejects.toMatchObject({ code: '23514', constraint: 'orders_total_is_items_sum' });
    await expect(bed.sql(`UPDATE order_items SET quantity = 99 WHERE order_id = $1`, [orderId])).rejects.toMatchObject({
      code: '23514',
      constraint: 'orders_total_is_items_sum',
    });
    expect(await orderRow(orderId)).toEqual({ total_amount: '2000', currency: 'USD' });
  });

  it('but admits a correction that keeps total and items in step in one transaction', async () => {
    const { orderId, other } = await placeOne();
    await bed.sql(
      `UPDATE orders SET total_amount = total_amount + 500 WHERE id = '${orderId}';
       INSERT INTO order_items (order_id, product_id, quantity, unit_price_amount) VALUES ('${orderId}', '${other}', 1, 500)`,
    );
    expect(await orderRow(orderId)).toEqual({ total_amount: '2500', currency: 'USD' });
  });

  it("and an order's currency never changes", async () => {
    const { orderId } = await placeOne();
    await expect(bed.sql(`UPDATE orders SET currency = 'EUR' WHERE id = $1`, [orderId])).rejects.toMatchObject({
      code: 'PSINP',
    });
    expect(await orderRow(orderId)).toEqual({ total_amount: '2000', currency: 'USD' });
  });
});
