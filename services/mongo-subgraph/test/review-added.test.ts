import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startForTest } from '@polystore/testing';
import { startMongoTestBed, type MongoTestBed } from './support/test-bed.js';
import type { Teardown } from '@polystore/common';
import { createMongoSubgraph } from '../src/server.js';

/** reviewAdded travels over Redis pub/sub: a review written on one replica reaches subscribers of another. */
let bed: MongoTestBed;
let replicaUrl: string;
let replicaTeardown: Teardown;
const clients: Client[] = [];

beforeAll(async () => {
  bed = await startMongoTestBed();
  ({ url: replicaUrl, teardown: replicaTeardown } = await startForTest(createMongoSubgraph, bed.env));
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await replicaTeardown?.close();
  await bed?.dispose();
});

describe('reviewAdded', () => {
  it('reaches a subscriber on another replica, only for the product it names', async () => {
    const { productIds } = await bed.seed(2);
    const client = createClient({ url: replicaUrl.replace('http', 'ws'), webSocketImpl: WebSocket });
    clients.push(client);
    const received: unknown[] = [];
    client.subscribe(
      {
        query: `subscription ($id: ID!) { reviewAdded(productId: $id) { rating title product { id } } }`,
        variables: { id: productIds[0] },
      },
      { next: (result) => received.push(result), error: (err) => received.push({ err }), complete: () => undefined },
    );
    // The subscription starts asynchronously: keep writing (each by a new user) until one arrives; bounded.
    for (let attempt = 0; attempt < 20 && received.length === 0; attempt++) {
      const userId = await bed.createUser();
      for (const productId of [productIds[1], productIds[0]]) {
        const added = await bed.gql(`mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`, {
          input: { productId, userId, rating: 4, title: productId === productIds[0] ? 'watched' : 'other', body: '' },
        });
        expect(added.errors).toBeUndefined();
      }
      for (let wait = 0; wait < 20 && received.length === 0; wait++)
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // With the event's position in the stream, from which a gateway resumes a dropped subscription.
    expect(received[0]).toEqual({
      data: { reviewAdded: { rating: 4, title: 'watched', product: { id: productIds[0] } } },
      extensions: { 'event-position': expect.stringMatching(/^\d+-\d+$/) },
    });
    expect(received.every((event) => JSON.stringify(event).includes('watched'))).toBe(true);
  });

  it('rejects a malformed product id', async () => {
    const client = createClient({ url: replicaUrl.replace('http', 'ws'), webSocketImpl: WebSocket });
    clients.push(client);
    const outcome = await new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: `subscription { reviewAdded(productId: "nope") { id } }` },
        { next: resolve, error: resolve, complete: () => resolve('complete') },
      ),
    );
    expect(JSON.stringify(outcome)).toContain('BAD_USER_INPUT');
  });
});
