import { randomUUID } from 'node:crypto';
import { errorCodes, startedOncePerFile } from '@polystore/testing';
import { PLACE_ORDER, placeOneOrder, seedCatalog, startSqlTestBed } from './support/test-bed.js';

const bed = startedOncePerFile(startSqlTestBed);

/** Everything a failed write must leave as it was. */
async function snapshot(productIds: string[]) {
  const [counts] = await bed.sql<{ orders: number; items: number; history: number; outbox: number }>(
    `SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_items) AS items,
            (SELECT count(*)::int FROM order_history) AS history, (SELECT count(*)::int FROM outbox) AS outbox`,
  );
  const stock = await bed.sql(`SELECT id, stock FROM products WHERE id = ANY ($1::uuid[]) ORDER BY id`, [productIds]);
  return { counts, stock };
}

describe('placeOrder', () => {
  it('takes the stock, prices the items, records the first status and writes OrderPlaced and InventoryChanged to the outbox', async () => {
    const { userId, productIds } = await seedCatalog(bed, [
      { price: 1250, stock: 5 },
      { price: 399, stock: 3 },
    ]);
    const [a, b] = productIds as [string, string];
    const placed = await bed.gql(PLACE_ORDER, {
      input: {
        userId,
        items: [
          { productId: a, quantity: 2 },
          { productId: b, quantity: 1 },
          { productId: a, quantity: 1 },
        ],
      },
    });
    expect(placed.errors).toBeUndefined();
    const order = placed.data!.placeOrder;
    expect(order.status).toBe('PENDING');
    expect(order.total).toEqual({ amount: 3 * 1250 + 399, currency: 'USD' });
    expect(order.history).toEqual([{ from: null, to: 'PENDING' }]);
    const byProduct = Object.fromEntries(order.items.map((item: any) => [item.product.id, item]));
    expect(byProduct[a]).toMatchObject({
      quantity: 3,
      unitPrice: { amount: 1250, currency: 'USD' },
      subtotal: { amount: 3750 },
      product: { stock: 2 },
    });
    expect(byProduct[b]).toMatchObject({ quantity: 1, product: { stock: 2 } });

    const outbox = await bed.sql<{ event_type: string; aggregate_id: string }>(
      `SELECT event_type, aggregate_id FROM outbox WHERE aggregate_id = ANY ($1::uuid[]) AND event_type <> 'InventoryChanged' OR
              (event_type = 'InventoryChanged' AND aggregate_id = ANY ($2::uuid[]) AND (payload->>'delta')::int < 0) ORDER BY id`,
      [[order.id], productIds],
    );
    expect(outbox.map((row) => row.event_type).sort()).toEqual(['InventoryChanged', 'InventoryChanged', 'OrderPlaced']);
  });

  it('keeps the price an order was placed at when the product price changes', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ price: 500, stock: 2 }]);
    const placed = await bed.gql(PLACE_ORDER, {
      input: { userId, items: [{ productId: productIds[0], quantity: 1 }] },
    });
    await bed.gql(
      `mutation ($id: ID!) { updateProduct(input: { id: $id, price: { amount: 900, currency: "USD" } }) { id } }`,
      {
        id: productIds[0],
      },
    );
    const read = await bed.gql(
      `query ($id: ID!) { order(id: $id) { total { amount } items { unitPrice { amount } product { price { amount } } } } }`,
      {
        id: placed.data!.placeOrder.id,
      },
    );
    expect(read.data!.order).toEqual({
      total: { amount: 500 },
      items: [{ unitPrice: { amount: 500 }, product: { price: { amount: 900 } } }],
    });
  });

  it.each([
    ['no items', () => ({ items: [] }), 'BAD_USER_INPUT'],
    ['a zero quantity', (p: string) => ({ items: [{ productId: p, quantity: 0 }] }), 'BAD_USER_INPUT'],
    ['a negative quantity', (p: string) => ({ items: [{ productId: p, quantity: -3 }] }), 'BAD_USER_INPUT'],
    ['an absurd quantity', (p: string) => ({ items: [{ productId: p, quantity: 1_000_000_000 }] }), 'BAD_USER_INPUT'],
    [
      'more than 1000 of one product across lines',
      (p: string) => ({
        items: [
          { productId: p, quantity: 600 },
          { productId: p, quantity: 600 },
        ],
      }),
      'BAD_USER_INPUT',
    ],
    [
      'too many lines',
      (p: string) => ({ items: Array.from({ length: 101 }, () => ({ productId: p, quantity: 1 })) }),
      'BAD_USER_INPUT',
    ],
    ['a malformed product id', () => ({ items: [{ productId: 'nope', quantity: 1 }] }), 'BAD_USER_INPUT'],
    ['an unknown product', () => ({ items: [{ productId: randomUUID(), quantity: 1 }] }), 'NOT_FOUND'],
    ['an unknown user', (p: string) => ({ userId: randomUUID(), items: [{ productId: p, quantity: 1 }] }), 'NOT_FOUND'],
    ['more than the stock', (p: string) => ({ items: [{ productId: p, quantity: 4 }] }), 'INSUFFICIENT_STOCK'],
    [
      'an empty idempotency key',
      (p: string) => ({ items: [{ productId: p, quantity: 1 }], idempotencyKey: '' }),
      'BAD_USER_INPUT',
    ],
  ])('rejects %s and changes nothing', async (_, makeInput, code) => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 3 }]);
    const before = await snapshot(productIds);
    const response = await bed.gql(PLACE_ORDER, { input: { userId, ...makeInput(productIds[0]!) } });
    expect(errorCodes(response)).toEqual([code]);
    expect(await snapshot(productIds)).toEqual(before);
  });

  it('rejects mixed currencies in one order', async () => {
    const { userId, productIds } = await seedCatalog(bed, [
      { stock: 1, currency: 'USD' },
      { stock: 1, currency: 'EUR' },
    ]);
    const response = await bed.gql(PLACE_ORDER, {
      input: { userId, items: productIds.map((productId) => ({ productId, quantity: 1 })) },
    });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('says how much is left when the stock is short', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 2 }]);
    const response = await bed.gql(PLACE_ORDER, {
      input: { userId, items: [{ productId: productIds[0], quantity: 5 }] },
    });
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'INSUFFICIENT_STOCK',
      productId: productIds[0],
      available: 2,
      requested: 5,
    });
  });
});

describe('order status', () => {
  const UPDATE = `mutation ($orderId: ID!, $status: OrderStatus!) { updateOrderStatus(input: { orderId: $orderId, status: $status }) { status history { from to } } }`;

  it('follows PENDING -> PAID -> SHIPPED -> DELIVERED and records each step', async () => {
    const { orderId } = await placeOneOrder(bed);
    for (const status of ['PAID', 'SHIPPED', 'DELIVERED']) {
      const response = await bed.gql(UPDATE, { orderId, status });
      expect(response.data!.updateOrderStatus.status).toBe(status);
    }
    const read = await bed.gql(`query ($id: ID!) { order(id: $id) { history { from to changedAt } } }`, {
      id: orderId,
    });
    expect(read.data!.order.history.map((change: any) => [change.from, change.to])).toEqual([
      [null, 'PENDING'],
      ['PENDING', 'PAID'],
      ['PAID', 'SHIPPED'],
      ['SHIPPED', 'DELIVERED'],
    ]);
  });

  it.each([
    ['PENDING', 'SHIPPED', []],
    ['PENDING', 'DELIVERED', []],
    ['SHIPPED', 'PAID', ['PAID', 'SHIPPED']],
    ['SHIPPED', 'CANCELLED', ['PAID', 'SHIPPED']],
    ['DELIVERED', 'PENDING', ['PAID', 'SHIPPED', 'DELIVERED']],
    ['PAID', 'PAID', ['PAID']],
  ])('rejects %s -> %s with INVALID_TRANSITION and keeps the order as it was', async (from, to, path) => {
    const { orderId, productId } = await placeOneOrder(bed);
    for (const status of path) await bed.gql(UPDATE, { orderId, status });
    const stockBefore = await bed.stock(productId);
    const response = await bed.gql(UPDATE, { orderId, status: to });
    expect(errorCodes(response)).toEqual(['INVALID_TRANSITION']);
    expect(response.errors![0]!.extensions).toMatchObject({ from, to });
    const [row] = await bed.sql<{ status: string; stock: number }>(
      'SELECT o.status, p.stock FROM orders o, products p WHERE o.id = $1 AND p.id = $2',
      [orderId, productId],
    );
    expect(row).toEqual({ status: from, stock: stockBefore });
  });

  it('enforces the transitions in the database for writers that bypass the API', async () => {
    const { orderId } = await placeOneOrder(bed);
    await expect(bed.sql(`UPDATE orders SET status = 'DELIVERED' WHERE id = $1`, [orderId])).rejects.toThrow(
      /cannot go from PENDING to DELIVERED/,
    );
    await bed.sql(`UPDATE orders SET status = 'PAID' WHERE id = $1`, [orderId]);
    const history = await bed.sql(`SELECT from_status, to_status FROM order_history WHERE order_id = $1 ORDER BY id`, [
      orderId,
    ]);
    expect(history).toEqual([
      { from_status: null, to_status: 'PENDING' },
      { from_status: 'PENDING', to_status: 'PAID' },
    ]);
  });

  it('cancels a PENDING or PAID order, restoring its stock once; a second cancel is INVALID_TRANSITION', async () => {
    const { orderId, productId } = await placeOneOrder(bed, 5, 2);
    await bed.gql(UPDATE, { orderId, status: 'PAID' });
    const cancelled = await bed.gql(
      `mutation ($id: ID!) { cancelOrder(input: { orderId: $id }) { status items { product { stock } } } }`,
      { id: orderId },
    );
    expect(cancelled.data!.cancelOrder).toEqual({ status: 'CANCELLED', items: [{ product: { stock: 5 } }] });
    const again = await bed.gql(`mutation ($id: ID!) { cancelOrder(input: { orderId: $id }) { status } }`, {
      id: orderId,
    });
    expect(errorCodes(again)).toEqual(['INVALID_TRANSITION']);
    const stock = await bed.stock(productId);
    expect(stock).toBe(5);
  });

  it('restores stock when updateOrderStatus cancels too', async () => {
    const { orderId, productId } = await placeOneOrder(bed, 4, 3);
    await bed.gql(UPDATE, { orderId, status: 'CANCELLED' });
    const stock = await bed.stock(productId);
    expect(stock).toBe(4);
  });

  it('answers NOT_FOUND for an unknown order and BAD_USER_INPUT for a malformed id', async () => {
    expect(errorCodes(await bed.gql(UPDATE, { orderId: randomUUID(), status: 'PAID' }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await bed.gql(UPDATE, { orderId: 'x', status: 'PAID' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await bed.gql(`mutation { cancelOrder(input: { orderId: "${randomUUID()}" }) { id } }`))).toEqual(
      ['NOT_FOUND'],
    );
  });
});

describe('products and users', () => {
  it('updates name and price, restocks, and rejects bad values without writing', async () => {
    const { productIds } = await seedCatalog(bed, [{ price: 100, stock: 1 }]);
    const id = productIds[0]!;
    const updated = await bed.gql(
      `mutation ($id: ID!) { updateProduct(input: { id: $id, name: "Renamed", price: { amount: 250, currency: "eur" } }) { name price { amount currency } } }`,
      { id },
    );
    expect(updated.data!.updateProduct).toEqual({ name: 'Renamed', price: { amount: 250, currency: 'EUR' } });
    const restocked = await bed.gql(
      `mutation ($id: ID!) { restock(input: { productId: $id, quantity: 9 }) { stock } }`,
      { id },
    );
    expect(restocked.data!.restock.stock).toBe(10);

    for (const [mutation, code] of [
      [`updateProduct(input: { id: "${id}", price: { amount: -1, currency: "EUR" } }) { id }`, 'BAD_USER_INPUT'],
      [`updateProduct(input: { id: "${id}", name: " " }) { id }`, 'BAD_USER_INPUT'],
      [`updateProduct(input: { id: "${randomUUID()}", name: "x" }) { id }`, 'NOT_FOUND'],
      [`restock(input: { productId: "${id}", quantity: 0 }) { id }`, 'BAD_USER_INPUT'],
      [`restock(input: { productId: "${id}", quantity: 2000000 }) { id }`, 'BAD_USER_INPUT'],
      [`restock(input: { productId: "${randomUUID()}", quantity: 1 }) { id }`, 'NOT_FOUND'],
    ] as const) {
      expect(errorCodes(await bed.gql(`mutation { ${mutation} }`))).toEqual([code]);
    }
    const [row] = await bed.sql('SELECT name, price_amount, price_currency, stock FROM products WHERE id = $1', [id]);
    expect(row).toEqual({ name: 'Renamed', price_amount: 250, price_currency: 'EUR', stock: 10 });
  });

  it('refuses to delete a product or user that orders reference, and deletes them otherwise with an outbox event', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 2 }, { stock: 2 }]);
    await bed.gql(PLACE_ORDER, { input: { userId, items: [{ productId: productIds[0], quantity: 1 }] } });
    expect(errorCodes(await bed.gql(`mutation { deleteProduct(input: { id: "${productIds[0]}" }) { id } }`))).toEqual([
      'CONFLICT',
    ]);
    expect(errorCodes(await bed.gql(`mutation { deleteUser(input: { id: "${userId}" }) { id } }`))).toEqual([
      'CONFLICT',
    ]);

    const deleted = await bed.gql(`mutation { deleteProduct(input: { id: "${productIds[1]}" }) { id } }`);
    expect(deleted.data!.deleteProduct.id).toBe(productIds[1]);
    expect((await bed.gql(`{ product(id: "${productIds[1]}") { id } }`)).data!.product).toBeNull();
    const events = await bed.sql(
      `SELECT event_type FROM outbox WHERE aggregate_id = $1 AND event_type = 'ProductDeleted'`,
      [productIds[1]],
    );
    expect(events).toHaveLength(1);

    const loner = await bed.gql(
      `mutation { createUser(input: { email: "loner-${Date.now()}@example.com", name: "L" }) { id } }`,
    );
    const gone = await bed.gql(`mutation ($id: ID!) { deleteUser(input: { id: $id }) { id } }`, {
      id: loner.data!.createUser.id,
    });
    expect(gone.errors).toBeUndefined();
    expect(
      await bed.sql(`SELECT 1 FROM outbox WHERE event_type = 'UserDeleted' AND aggregate_id = $1`, [
        loner.data!.createUser.id,
      ]),
    ).toHaveLength(1);
    expect(errorCodes(await bed.gql(`mutation { deleteUser(input: { id: "${randomUUID()}" }) { id } }`))).toEqual([
      'NOT_FOUND',
    ]);
  });
});

describe('views and user orders', () => {
  it('summarises orders per user from the view, excluding cancelled ones, and counts product sales', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ price: 1000, stock: 10 }]);
    const productId = productIds[0]!;
    const ids: string[] = [];
    for (const quantity of [1, 2, 3]) {
      const placed = await bed.gql(PLACE_ORDER, { input: { userId, items: [{ productId, quantity }] } });
      ids.push(placed.data!.placeOrder.id);
    }
    await bed.gql(`mutation ($id: ID!) { cancelOrder(input: { orderId: $id }) { id } }`, { id: ids[1] });

    const read = await bed.gql(
      `query ($userId: ID!, $productId: ID!) {
        user(id: $userId) { orderSummary { orderCount totalSpent { amount currency } lastOrderAt } }
        product(id: $productId) { salesCount stock }
      }`,
      { userId, productId },
    );
    expect(read.data!.user.orderSummary).toMatchObject({
      orderCount: 2,
      totalSpent: [{ amount: 4000, currency: 'USD' }],
    });
    expect(read.data!.user.orderSummary.lastOrderAt).not.toBeNull();
    expect(read.data!.product).toEqual({ salesCount: 4, stock: 6 });
  });

  it('gives an empty summary to a user without orders', async () => {
    const { userId } = await seedCatalog(bed, []);
    const read = await bed.gql(
      `query ($id: ID!) { user(id: $id) { orderSummary { orderCount totalSpent { amount } lastOrderAt } orders { totalCount edges { cursor } } } }`,
      {
        id: userId,
      },
    );
    expect(read.data!.user).toEqual({
      orderSummary: { orderCount: 0, totalSpent: [], lastOrderAt: null },
      orders: { totalCount: 0, edges: [] },
    });
  });

  it("pages through a user's orders newest first with stable cursors", async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 100 }]);
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await bed.gql(PLACE_ORDER, {
        input: { userId, items: [{ productId: productIds[0], quantity: 1 }] },
      });
      placed.push(response.data!.placeOrder.id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response: any = await bed.gql(
        `query ($id: ID!, $after: String) { user(id: $id) { orders(first: 2, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
        { id: userId, after },
      );
      const orders = response.data.user.orders;
      expect(orders.totalCount).toBe(5);
      seen.push(...orders.edges.map((edge: any) => edge.node.id));
      if (!orders.pageInfo.hasNextPage) break;
      after = orders.pageInfo.endCursor;
    }
    expect(seen).toEqual([...placed].reverse());
  });
});
