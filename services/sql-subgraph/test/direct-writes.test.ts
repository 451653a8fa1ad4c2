import { errorCodes, startedOncePerFile } from '@polystore/testing';
import { PLACE_ORDER, placeOneOrder, seedCatalog, startSqlTestBed } from './support/test-bed.js';

/**
 * The rules hold for writers that bypass the API: the schema owner's console
 * or script here, the services' own role in order-rules.test.ts.
 */
const bed = startedOncePerFile(startSqlTestBed);

describe('writes outside the API, as the schema owner', () => {
  it('restores stock when an order is cancelled with a plain UPDATE', async () => {
    const { orderId, productId } = await placeOneOrder(bed, 5, 2);
    expect(await bed.stock(productId)).toBe(3);
    await bed.sql(`UPDATE orders SET status = 'CANCELLED' WHERE id = $1`, [orderId]);
    expect(await bed.stock(productId)).toBe(5);
  });

  it('refuses orders that do not start PENDING, and deleting orders', async () => {
    const { orderId, userId } = await placeOneOrder(bed);
    await expect(
      bed.sql(`INSERT INTO orders (user_id, status, total_amount, currency) VALUES ($1, 'DELIVERED', 0, 'USD')`, [
        userId,
      ]),
    ).rejects.toThrow(/starts PENDING/);
    await expect(bed.sql(`DELETE FROM orders WHERE id = $1`, [orderId])).rejects.toThrow(/cancel the order instead/);
  });

  it('validates the items of a direct place_order call as the API does', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 10 }]);
    const call = (items: unknown) =>
      bed.sql(`SELECT place_order($1, $2::jsonb) AS id`, [userId, JSON.stringify(items)]);
    await expect(call([{ productId: productIds[0], quantity: 1.0 }])).resolves.toHaveLength(1);
    await expect(call([{ productId: productIds[0], quantity: 2.5 }])).rejects.toMatchObject({
      code: 'PSINP',
    });
    await expect(call([{ productId: 'not-a-uuid', quantity: 1 }])).rejects.toMatchObject({
      code: 'PSINP',
    });
    await expect(call({ productId: productIds[0], quantity: 1 })).rejects.toMatchObject({
      code: 'PSINP',
    });
  });

  it('refuses a NULL target status as an illegal transition', async () => {
    const { orderId } = await placeOneOrder(bed);
    await expect(bed.sql(`SELECT update_order_status($1, NULL)`, [orderId])).rejects.toMatchObject({
      code: 'PSTRN',
    });
  });

  it('emits ProductUpdated and UserUpdated, so the cache heals after direct edits', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 1 }]);
    const id = productIds[0]!;
    const read = () =>
      bed.gql(`query ($id: ID!, $userId: ID!) { product(id: $id) { name } user(id: $userId) { name } }`, {
        id,
        userId,
      });
    await read(); // now cached
    await bed.sql(`UPDATE products SET name = 'Renamed by hand' WHERE id = $1`, [id]);
    await bed.sql(`UPDATE users SET name = 'Also renamed' WHERE id = $1`, [userId]);
    await bed.subgraph.flushOutbox();
    expect((await read()).data).toEqual({ product: { name: 'Renamed by hand' }, user: { name: 'Also renamed' } });
    const events = await bed.sql<{ event_type: string }>(
      `SELECT event_type FROM outbox WHERE aggregate_id = ANY ($1::uuid[]) AND event_type LIKE '%Updated' ORDER BY id`,
      [[id, userId]],
    );
    expect(events.map((event) => event.event_type)).toEqual(['ProductUpdated', 'UserUpdated']);
  });

  it('reports sums beyond 32 bits exactly in the order summary', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ price: 2_000_000_000, stock: 3 }]);
    for (let i = 0; i < 2; i++) {
      const placed = await bed.gql(PLACE_ORDER, {
        input: { userId, items: [{ productId: productIds[0], quantity: 1 }] },
      });
      expect(errorCodes(placed)).toEqual([]);
    }
    const summary = await bed.gql(
      `query ($id: ID!) { user(id: $id) { orderSummary { totalSpent { amount currency } } } }`,
      { id: userId },
    );
    expect(summary.data!.user.orderSummary.totalSpent).toEqual([{ amount: 4_000_000_000, currency: 'USD' }]);
  });
});
