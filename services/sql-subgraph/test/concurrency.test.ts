import { errorCodes, startedOncePerFile } from '@polystore/testing';
import { PLACE_ORDER, seedCatalog, startSqlTestBed } from './support/test-bed.js';

const bed = startedOncePerFile(startSqlTestBed);

describe('placing orders concurrently', () => {
  it('sells exactly the last 10 units to 50 simultaneous buyers, never more', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 10 }]);
    const productId = productIds[0]!;
    const attempts = await Promise.all(
      Array.from({ length: 50 }, () =>
        bed.gql(PLACE_ORDER, { input: { userId, items: [{ productId, quantity: 1 }] } }),
      ),
    );
    const sold = attempts.filter((response) => !response.errors);
    const refused = attempts.filter((response) => response.errors);
    expect(sold).toHaveLength(10);
    expect(refused.map(errorCodes)).toEqual(Array.from({ length: 40 }, () => ['INSUFFICIENT_STOCK']));

    const [row] = await bed.sql<{ stock: number; ordered: number }>(
      `SELECT p.stock, (SELECT coalesce(sum(quantity), 0)::int FROM order_items WHERE product_id = p.id) AS ordered
       FROM products p WHERE p.id = $1`,
      [productId],
    );
    expect(row).toEqual({ stock: 0, ordered: 10 });
  });

  it('does not deadlock when concurrent orders take the same products in opposite order', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 100 }, { stock: 100 }]);
    const [a, b] = productIds as [string, string];
    const attempts = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        bed.gql(PLACE_ORDER, {
          input: {
            userId,
            items:
              i % 2 === 0
                ? [
                    { productId: a, quantity: 1 },
                    { productId: b, quantity: 1 },
                  ]
                : [
                    { productId: b, quantity: 1 },
                    { productId: a, quantity: 1 },
                  ],
          },
        }),
      ),
    );
    expect(attempts.filter((response) => response.errors)).toEqual([]);
    const stock = await bed.sql<{ stock: number }>('SELECT stock FROM products WHERE id = ANY ($1::uuid[])', [
      productIds,
    ]);
    expect(stock).toEqual([{ stock: 60 }, { stock: 60 }]);
  });

  it('restores stock exactly once when the same order is cancelled concurrently', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 5 }]);
    const placed = await bed.gql(PLACE_ORDER, {
      input: { userId, items: [{ productId: productIds[0], quantity: 3 }] },
    });
    const orderId = placed.data!.placeOrder.id;
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () =>
        bed.gql(`mutation ($id: ID!) { cancelOrder(input: { orderId: $id }) { status } }`, { id: orderId }),
      ),
    );
    expect(attempts.filter((response) => !response.errors)).toHaveLength(1);
    const stock = await bed.stock(productIds[0]!);
    expect(stock).toBe(5);
  });
});

describe('idempotent placement', () => {
  it('returns the same order for retries with the same key, taking the stock once, even when they race', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 20 }]);
    const input = { userId, items: [{ productId: productIds[0], quantity: 2 }], idempotencyKey: 'checkout-42' };
    const first = await bed.gql(PLACE_ORDER, { input });
    const retries = await Promise.all(Array.from({ length: 10 }, () => bed.gql(PLACE_ORDER, { input })));
    const ids = new Set([first, ...retries].map((response) => response.data!.placeOrder.id));
    expect(ids.size).toBe(1);
    expect(await bed.stock(productIds[0]!)).toBe(18);

    const racing = await Promise.all(
      Array.from({ length: 10 }, () => bed.gql(PLACE_ORDER, { input: { ...input, idempotencyKey: 'checkout-43' } })),
    );
    expect(racing.filter((response) => response.errors)).toEqual([]);
    expect(new Set(racing.map((response) => response.data!.placeOrder.id)).size).toBe(1);
    expect(await bed.stock(productIds[0]!)).toBe(16);

    // The key is per user, and a different key places a new order.
    const another = await bed.gql(PLACE_ORDER, { input: { ...input, idempotencyKey: 'checkout-44' } });
    expect(ids.has(another.data!.placeOrder.id)).toBe(false);
    expect(await bed.stock(productIds[0]!)).toBe(14);
  });
});
