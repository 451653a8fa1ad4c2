import { Redis } from 'ioredis';
import { startedOncePerFile } from '@polystore/testing';
import { checkEvent, eventsProducedBy, payloadFields, type DomainEvent } from '@polystore/common';
import { PLACE_ORDER, seedCatalog, startSqlTestBed } from './support/test-bed.js';

/**
 * The producer's side of the event contract: what the outbox triggers write,
 * for a realistic run of writes, is what packages/common's contract declares,
 * field for field. A migration that changes a payload fails here.
 */
const bed = startedOncePerFile(startSqlTestBed);

async function ok(query: string, variables: Record<string, unknown>) {
  const response = await bed.gql(query, variables);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!;
}

describe('events the outbox triggers write', () => {
  it('each pass the contract, with exactly its fields, and every event of the contract occurs', async () => {
    const { userId, productIds } = await seedCatalog(bed, [{ stock: 10 }, { stock: 1 }]);
    const [ordered, unordered] = productIds as [string, string];
    await ok(
      `mutation ($id: ID!) { updateProduct(input: { id: $id, name: "Renamed", price: { amount: 5, currency: "EUR" } }) { id } }`,
      {
        id: ordered,
      },
    );
    await ok(`mutation ($id: ID!) { restock(input: { productId: $id, quantity: 5 }) { id } }`, { id: ordered });
    const placed = await ok(PLACE_ORDER, { input: { userId, items: [{ productId: ordered, quantity: 2 }] } });
    await ok(`mutation ($id: ID!) { updateOrderStatus(input: { orderId: $id, status: PAID }) { id } }`, {
      id: placed.placeOrder.id,
    });
    const other = await ok(PLACE_ORDER, { input: { userId, items: [{ productId: ordered, quantity: 1 }] } });
    await ok(`mutation ($id: ID!) { cancelOrder(input: { orderId: $id }) { id } }`, { id: other.placeOrder.id });
    // No mutation renames a user yet; another writer can.
    await bed.sql(`UPDATE users SET name = 'Renamed' WHERE id = $1`, [userId]);
    await ok(`mutation ($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id: unordered });
    const { userId: leaving } = await seedCatalog(bed, []);
    await ok(`mutation ($id: ID!) { deleteUser(input: { id: $id }) { id } }`, { id: leaving });
    await bed.subgraph.flushOutbox();

    const redis = new Redis(bed.redisUrl);
    const entries = await redis.xrange(`${bed.keyPrefix}events`, '-', '+');
    await redis.quit();
    const events = entries.map(([, fields]) => JSON.parse(fields[1]!) as DomainEvent);

    const problems = events.flatMap((event) => {
      const checked = checkEvent(event);
      if (!checked.ok) return [`${event.id}: ${checked.reason}`];
      const written = Object.keys(checked.event.payload as object).sort();
      const declared = payloadFields(checked.event.type).sort();
      return written.join() === declared.join()
        ? []
        : [`${event.type} writes ${written} but the contract declares ${declared}`];
    });
    expect(problems).toEqual([]);
    expect([...new Set(events.map((event) => event.type))].sort()).toEqual(eventsProducedBy('sql').sort());
  });
});
