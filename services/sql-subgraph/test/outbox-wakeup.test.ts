import { Redis } from 'ioredis';
import { eventually } from '@polystore/testing';
import { seedCatalog, startSqlTestBed, type SqlTestBed } from './support/test-bed.js';

/**
 * A committed outbox write wakes the relay (LISTEN/NOTIFY), so events leave at
 * once rather than at the next poll; here the poll is a minute apart.
 */
let bed: SqlTestBed;
let redis: Redis;

beforeAll(async () => {
  bed = await startSqlTestBed({ OUTBOX_POLL_INTERVAL_MS: '60000' });
  redis = new Redis(bed.redisUrl);
});

afterAll(async () => {
  await redis?.quit();
  await bed?.dispose();
});

const streamTypes = async () =>
  (await redis.xrange(`${bed.keyPrefix}events`, '-', '+')).map(([, fields]) => JSON.parse(fields[1]!).type as string);

it('relays an event as soon as its transaction commits, without waiting for the poll', async () => {
  const { productIds } = await seedCatalog(bed, [{ stock: 3 }]);
  // Whatever seeding wrote has gone out through the same wake-up.
  await eventually(
    async () => (await streamTypes()).includes('InventoryChanged'),
    'the seeded product reached the stream',
    10_000,
  );
  const before = (await streamTypes()).length;
  await bed.gql('mutation ($id: ID!) { restock(input: { productId: $id, quantity: 2 }) { stock } }', {
    id: productIds[0],
  });
  await eventually(async () => (await streamTypes()).length > before, 'the restock reached the stream', 10_000);
  // The relay marks the rows published in the transaction that appended them.
  await eventually(async () => {
    const [row] = await bed.sql<{ count: string }>('SELECT count(*) FROM outbox WHERE published_at IS NULL');
    return Number(row!.count) === 0;
  }, 'every outbox row is marked published');
});
