import { PLACE_ORDER, seedCatalog, startSqlTestBed, type SqlTestBed } from './support/test-bed.js';

/**
 * The N+1 guard: resolving many orders with their users, items and products
 * costs the same number of SQL statements as resolving a few.
 */
let bed: SqlTestBed;
const orderIds: string[] = [];

beforeAll(async () => {
  // The relay polls only at start-up here, so every statement counted belongs to the request.
  bed = await startSqlTestBed({ OUTBOX_POLL_INTERVAL_MS: '60000' });
  const buyers = await Promise.all(
    Array.from({ length: 10 }, () => seedCatalog(bed, [{ stock: 1000 }, { stock: 1000 }])),
  );
  for (let i = 0; i < 100; i++) {
    const { userId, productIds } = buyers[i % buyers.length]!;
    const placed = await bed.gql(PLACE_ORDER, {
      input: { userId, items: productIds.map((productId) => ({ productId, quantity: 1 + (i % 3) })) },
    });
    orderIds.push(placed.data!.placeOrder.id);
  }
}, 120_000);

afterAll(async () => {
  await bed?.dispose();
});

const ORDERS_WITH_EVERYTHING = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Order {
      id status total { amount }
      user { name email orderSummary { orderCount } }
      items { quantity subtotal { amount } product { sku stock salesCount } }
      history { from to }
    }
  }
}`;

async function statementsFor(ids: string[]): Promise<number> {
  await bed.clearCache();
  bed.statements.length = 0;
  const response = await bed.gql(ORDERS_WITH_EVERYTHING, {
    representations: ids.map((id) => ({ __typename: 'Order', id })),
  });
  expect(response.errors).toBeUndefined();
  expect(response.data!._entities).toHaveLength(ids.length);
  return bed.statements.length;
}

describe('statements per request', () => {
  it('is the same for 100 orders as for 10, one per kind of data', async () => {
    const forTen = await statementsFor(orderIds.slice(0, 10));
    const forHundred = await statementsFor(orderIds);
    expect(forHundred).toBe(forTen);
    // orders, users, summary view, items, products, sales view, history
    expect(forHundred).toBeLessThanOrEqual(7);
  });

  it('drops to the uncached remainder when the Redis cache is warm', async () => {
    const cold = await statementsFor(orderIds);
    bed.statements.length = 0;
    await bed.gql(ORDERS_WITH_EVERYTHING, { representations: orderIds.map((id) => ({ __typename: 'Order', id })) });
    const warm = bed.statements.length;
    // Orders, users, items and products come from Redis; views and history are always read fresh.
    expect(warm).toBeLessThan(cold);
    expect(warm).toBe(3);
  });
});
