import { createServer, type Server, type Socket } from 'node:net';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { AddressInfo } from 'node:net';
import type { Teardown } from '@polystore/common';
import { asAdmin, eventually, graphqlRequest, startForTest } from '@polystore/testing';
import { testPostgres, testRedis, type Disposable } from '@polystore/testing/stores';
import { composeSupergraph } from '@polystore/gateway/compose';
import { createGateway } from '@polystore/gateway';
import { createSqlSubgraph } from '@polystore/sql-subgraph';
import { freePort } from '@polystore/embedded';

/**
 * A subgraph that accepts connections and never answers must cost only its
 * part of the response: the gateway gives up after GATEWAY_UPSTREAM_TIMEOUT_MS
 * and returns what the other subgraphs resolved, with an error for the rest.
 */
const fixtures: Disposable[] = [];
const teardowns: Teardown[] = [];
let silent: Server;
const sockets = new Set<Socket>();
let gatewayUrl: string;
/** A gateway whose mongo subgraph drops every connection mid-request and whose storage subgraph refuses connections. */
let dyingGatewayUrl: string;
let dying: Server;

beforeAll(async () => {
  const postgres = await testPostgres();
  const redis = await testRedis();
  fixtures.push(postgres, redis);
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Reads and drops what it is sent (a paused socket would never see the gateway close it).
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`;

  const sql = await startForTest(createSqlSubgraph, {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.serviceUrls.sql,
    REDIS_KEY_PREFIX: redis.keyPrefix,
  });
  teardowns.push(sql.teardown);
  const gateway = await startForTest(
    (context) =>
      createGateway({
        ...context,
        supergraph: composeSupergraph({ sql: sql.url, mongo: silentUrl, storage: silentUrl }),
      }),
    { GATEWAY_UPSTREAM_TIMEOUT_MS: '1000' },
  );
  teardowns.push(gateway.teardown);
  gatewayUrl = gateway.url;

  // Reads the request, then drops the connection without an answer: a subgraph that dies mid-request.
  dying = createServer((socket) => socket.once('data', () => socket.destroy()));
  await new Promise<void>((resolve) => dying.listen(0, '127.0.0.1', resolve));
  const dyingUrl = `http://127.0.0.1:${(dying.address() as AddressInfo).port}/graphql`;
  const refusedUrl = `http://127.0.0.1:${await freePort()}/graphql`; // nothing listens there
  const dyingGateway = await startForTest(
    (context) =>
      createGateway({
        ...context,
        supergraph: composeSupergraph({ sql: sql.url, mongo: dyingUrl, storage: refusedUrl }),
      }),
    { GATEWAY_UPSTREAM_TIMEOUT_MS: '1000' },
  );
  teardowns.push(dyingGateway.teardown);
  dyingGatewayUrl = dyingGateway.url;
});

afterAll(async () => {
  for (const teardown of teardowns.reverse()) await teardown.close();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await new Promise((resolve) => dying?.close(resolve));
  for (const fixture of fixtures.reverse()) await fixture.dispose();
});

/** The code and subgraph of each error. */
const unavailable = (response: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  (response.errors ?? []).map(({ extensions }) => ({ code: extensions?.code, serviceName: extensions?.serviceName }));

describe('a subgraph that hangs', () => {
  it('costs its fields an error, not the whole request', async () => {
    await graphqlRequest(
      gatewayUrl,
      `mutation { createProduct(input: { sku: "HANG-1", name: "Tent", price: { amount: 1, currency: "USD" } }) { id } }`,
      {},
      { headers: asAdmin() },
    );
    const response = await graphqlRequest(
      gatewayUrl,
      `{ productBySku(sku: "HANG-1") { sku details { category } } }`,
      {},
      { headers: asAdmin() },
    );
    expect(response.data).toEqual({ productBySku: { sku: 'HANG-1', details: null } });
    expect(unavailable(response)).toEqual([{ code: 'SERVICE_UNAVAILABLE', serviceName: 'mongo' }]);
  });

  it('holds no socket to it once the timeout has passed', async () => {
    const requests = Array.from({ length: 5 }, () =>
      graphqlRequest(
        gatewayUrl,
        `{ productBySku(sku: "HANG-1") { details { category } } }`,
        {},
        { headers: asAdmin() },
      ),
    );
    await eventually(async () => sockets.size >= 1, 'the gateway connects to the silent subgraph', 2_000);
    await Promise.all(requests);
    // Silent for the timeout (1 s), each socket is destroyed by the gateway: none waits for an answer that never comes.
    await eventually(async () => sockets.size === 0, 'every socket to the silent subgraph closed', 3_000);
  });

  it('does not cut a subscription that stays open longer than the timeout', async () => {
    const created = await graphqlRequest(
      gatewayUrl,
      `mutation { createProduct(input: { sku: "LONG-1", name: "Lamp", price: { amount: 1, currency: "USD" }, stock: 1 }) { id } }`,
      {},
      { headers: asAdmin() },
    );
    const productId = created.data!.createProduct.id as string;
    const client = createClient({ url: gatewayUrl.replace('http', 'ws'), webSocketImpl: WebSocket });
    const received: unknown[] = [];
    client.subscribe(
      { query: `subscription ($id: ID) { inventoryChanged(productId: $id) { stock } }`, variables: { id: productId } },
      {
        next: (result) => received.push(result),
        error: (err) => received.push({ error: String(err) }),
        complete: () => received.push('complete'),
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // 2.5x the upstream timeout
    // Still open: no completion, no error (the product's creation may have arrived already).
    expect(received.filter((item) => item === 'complete' || (item as { error?: unknown }).error)).toEqual([]);
    const restocked = () => received.some((item) => ((item as any).data?.inventoryChanged?.stock ?? 0) >= 2);
    for (let attempt = 0; attempt < 20 && !restocked(); attempt++) {
      await graphqlRequest(
        gatewayUrl,
        `mutation ($id: ID!) { restock(input: { productId: $id, quantity: 1 }) { id } }`,
        {
          id: productId,
        },
        { headers: asAdmin() },
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(restocked()).toBe(true);
    await client.dispose();
  });
});

describe('a subgraph that dies mid-request or refuses connections', () => {
  it('costs its fields SERVICE_UNAVAILABLE naming the subgraph, and the rest of the answer stands', async () => {
    await graphqlRequest(
      dyingGatewayUrl,
      `mutation { createProduct(input: { sku: "DIES-1", name: "Tent", price: { amount: 1, currency: "USD" } }) { id } }`,
      {},
      { headers: asAdmin() },
    );
    const read = (fields: string) =>
      graphqlRequest(dyingGatewayUrl, `{ productBySku(sku: "DIES-1") { sku ${fields} } }`, {}, { headers: asAdmin() });
    // mongo drops the connection mid-request; `details` is nullable, so the product stays.
    const dropped = await read('details { category }');
    expect(dropped.data).toEqual({ productBySku: { sku: 'DIES-1', details: null } });
    expect(unavailable(dropped)).toEqual([{ code: 'SERVICE_UNAVAILABLE', serviceName: 'mongo' }]);
    // storage refuses the connection; `images` is a non-null list, so the error nulls the product.
    const refused = await read('images { id }');
    expect(unavailable(refused)).toEqual([{ code: 'SERVICE_UNAVAILABLE', serviceName: 'storage' }]);
  });

  it('answers a mutation whose subgraph died with SERVICE_UNAVAILABLE, not INTERNAL_SERVER_ERROR', async () => {
    const response = await graphqlRequest(
      dyingGatewayUrl,
      `mutation { upsertCategory(input: { slug: "dies", name: "Dies", attributes: [] }) { slug } }`,
      {},
      { headers: asAdmin() },
    );
    expect(response.data ?? null).toBeNull();
    expect(unavailable(response)).toEqual([{ code: 'SERVICE_UNAVAILABLE', serviceName: 'mongo' }]);
    // The message says the outcome is unknown, so a client retries with its idempotency key or reads back.
    expect(response.errors?.[0]?.message).toMatch(/mongo/);
  });
});
