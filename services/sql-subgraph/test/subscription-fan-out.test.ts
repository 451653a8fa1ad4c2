import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { eventually } from '@polystore/testing';
import { seedCatalog, startSqlTestBed, type SqlTestBed } from './support/test-bed.js';

/**
 * Many subscribers of one event cost one read of the entity it names, not one
 * each: with thousands of subscribers a read per subscriber exhausted the pool.
 */
let bed: SqlTestBed;
const clients: Client[] = [];
const SUBSCRIBERS = 20;

beforeAll(async () => {
  // The relay runs only when flushed, so the statements counted are the deliveries'.
  bed = await startSqlTestBed({ OUTBOX_POLL_INTERVAL_MS: '60000' });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await bed?.dispose();
});

const RESTOCK = 'mutation ($id: ID!) { restock(input: { productId: $id, quantity: 1 }) { stock } }';

it('reads the product once per event for all its subscribers', async () => {
  const { productIds } = await seedCatalog(bed, [{ stock: 5 }]);
  const productId = productIds[0]!;
  const received: number[][] = Array.from({ length: SUBSCRIBERS }, () => []);
  for (const stocks of received) {
    const client = createClient({ url: bed.url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false });
    clients.push(client);
    client.subscribe(
      {
        query: 'subscription ($id: ID) { inventoryChanged(productId: $id) { id stock name salesCount } }',
        variables: { id: productId },
      },
      {
        next: (result) => {
          const event = (result.data as { inventoryChanged?: { stock: number } } | null)?.inventoryChanged;
          if (event) stocks.push(event.stock);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  }
  // Every subscription is live once each has received a first event.
  await eventually(
    async () => {
      await bed.gql(RESTOCK, { id: productId });
      await bed.subgraph.flushOutbox();
      return received.every((stocks) => stocks.length > 0);
    },
    'every subscriber received an event',
    15_000,
  );
  const settled = await bed.stock(productId);
  await eventually(
    async () => received.every((stocks) => stocks.includes(settled)),
    'every subscriber received the last warm-up event',
  );

  // The measured event comes from a direct write (its statements are not the subgraph's): the
  // outbox relay, woken at commit, may deliver a mutation's event before the mutation answers,
  // so counting from after a mutation could miss the subscribers' reads.
  bed.statements.length = 0;
  await bed.sql('UPDATE products SET stock = stock + 1 WHERE id = $1', [productId]);
  await bed.subgraph.flushOutbox();
  await eventually(
    async () => received.every((stocks) => stocks.includes(settled + 1)),
    'every subscriber received the measured event',
  );

  const readsOfProduct = bed.statements.filter(
    (statement) => /^\s*SELECT/i.test(statement.sql) && JSON.stringify(statement.parameters).includes(productId),
  );
  // One for the product's row, one for its sales count: both shared by the 20 subscribers.
  expect(readsOfProduct.length).toBeLessThanOrEqual(2);
  expect(readsOfProduct.length).toBeGreaterThan(0);
});
