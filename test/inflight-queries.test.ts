import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Teardown } from '@polystore/common';
import { createGateway, type Gateway } from '@polystore/gateway';
import { composeSupergraph } from '@polystore/gateway/compose';
import { createSqlSubgraph } from '@polystore/sql-subgraph';
import { freePort } from '@polystore/embedded';
import {
  asAdmin,
  bearer,
  eventually,
  graphqlRequest,
  startForTest,
  TEST_AUTH_ENV,
  testToken,
} from '@polystore/testing';
import { testPostgres, testRedis, type Disposable } from '@polystore/testing/stores';

/**
 * Inbound de-duplication (`inflight-queries.ts`): identical queries from one
 * caller while the first is being answered wait for its answer instead of
 * running again. The sql-subgraph sits behind a gate that holds what the
 * gateway sends it, so a request stays in flight until the test lets it go.
 */
const fixtures: Disposable[] = [];
const teardowns: Teardown[] = [];
let gate: ReturnType<typeof gated>;
let gateway: { server: Gateway; url: string };
/** The same, with a rate limit of LIMITED_BUDGET requests per window and the response cache on (it spends the budget first). */
let limited: { server: Gateway; url: string };
const LIMITED_BUDGET = 3;
let productId: string;

/**
 * A TCP proxy to `port` that can hold one request: after `hold()`, the first
 * connection to send anything keeps what it is sent until `release()`; the
 * others pass (another request, a mutation, goes on another connection).
 */
function gated(port: number) {
  let holding = false;
  let heldSocket: Socket | undefined;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (holding && (heldSocket === undefined || heldSocket === client)) {
        heldSocket = client;
        held.push(() => upstream.write(chunk));
      } else upstream.write(chunk);
    });
    upstream.pipe(client);
    for (const [one, other] of [
      [client, upstream],
      [upstream, client],
    ] as const)
      one.on('close', () => other.destroy()).on('error', () => other.destroy());
  });
  return {
    server,
    hold: () => (holding = true),
    /** Whether a request is held. */
    holds: () => held.length > 0,
    release() {
      holding = false;
      heldSocket = undefined;
      for (const forward of held.splice(0)) forward();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

beforeAll(async () => {
  const postgres = await testPostgres();
  const redis = await testRedis();
  fixtures.push(postgres, redis);
  const sql = await startForTest(createSqlSubgraph, {
    ...TEST_AUTH_ENV,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.serviceUrls.sql,
    REDIS_KEY_PREFIX: redis.keyPrefix,
  });
  teardowns.push(sql.teardown);
  gate = gated(Number(new URL(sql.url).port));
  await new Promise<void>((resolve) => gate.server.listen(0, '127.0.0.1', resolve));
  const gatedUrl = `http://127.0.0.1:${(gate.server.address() as AddressInfo).port}/graphql`;
  const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
  const startGateway = async (rateLimit: string, extra: Record<string, string> = {}) => {
    const started = await startForTest(
      (context) =>
        createGateway({
          ...context,
          supergraph: composeSupergraph({ sql: gatedUrl, mongo: nowhere, storage: nowhere }),
        }),
      {
        ...TEST_AUTH_ENV,
        REDIS_URL: redis.serviceUrls.gateway,
        REDIS_KEY_PREFIX: redis.keyPrefix,
        GATEWAY_RATE_LIMIT: rateLimit,
        GATEWAY_RATE_LIMIT_REFUSAL_DELAY_MS: '0',
        ...extra,
      },
    );
    teardowns.push(started.teardown);
    return started;
  };
  gateway = await startGateway('100000');
  limited = await startGateway(String(LIMITED_BUDGET), {
    GATEWAY_RESPONSE_CACHE: 'true',
    GATEWAY_RATE_LIMIT_REFUSAL_DELAY_MS: '500',
  });
  const created = await graphqlRequest<{ createProduct: { id: string } }>(
    gateway.url,
    `mutation { createProduct(input: { sku: "INFLIGHT-1", name: "Kettle", price: { amount: 900, currency: "USD" } }) { id } }`,
    {},
    { headers: asAdmin() },
  );
  productId = created.data!.createProduct.id;
});

afterAll(async () => {
  gate?.release();
  for (const teardown of teardowns.reverse()) await teardown.close();
  await gate?.close();
  for (const fixture of fixtures.reverse()) await fixture.dispose();
});

const QUERY = `query Kettle { productBySku(sku: "INFLIGHT-1") { sku name price { amount } } }`;

const metric = async (name: string, of = gateway) =>
  Number((await of.server.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0);

/** POSTs `body` as a client does, on a connection of its own; the status, headers and text of the answer. */
function post(
  body: string,
  headers: Record<string, string>,
  {
    url = gateway.url,
    localAddress = '127.0.0.1',
    signal,
  }: { url?: string; localAddress?: string; signal?: AbortSignal } = {},
) {
  return new Promise<{ status?: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
    const sent = request(
      url,
      {
        method: 'POST',
        agent: false,
        localAddress,
        ...(signal ? { signal } : {}),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode,
            // Every header but those that differ between any two answers.
            headers: Object.fromEntries(
              Object.entries(response.headers).filter(([name]) => !['date', 'x-request-id'].includes(name)),
            ),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

/**
 * Sends `first` and, once its subgraph request is held, each of `then`; waits
 * until `waiting` of them wait for an identical answer, releases the subgraph
 * and returns every answer.
 */
async function whileHeld(
  first: () => ReturnType<typeof post>,
  then: (() => ReturnType<typeof post>)[],
  waiting: number,
) {
  const before = await metric('gateway_inflight_waiting');
  gate.hold();
  const leader = first();
  await eventually(async () => gate.holds(), 'the first request reaches the subgraph');
  const others = then.map((send) => send());
  await eventually(
    async () => (await metric('gateway_inflight_waiting')) - before >= waiting,
    `${waiting} requests wait for the first one's answer`,
  );
  gate.release();
  return [await leader, ...(await Promise.all(others))];
}

/**
 * Asks twice, so the next identical request may wait for another: the first
 * has its token verified by the runtime, the second is read before the
 * runtime and has its document run as a query. The second answer.
 */
async function known(body: string, headers: Record<string, string>, url = gateway.url) {
  await post(body, headers, { url });
  return post(body, headers, { url });
}

describe('identical queries in flight', () => {
  it('are answered once: the others wait for its answer and get its status, headers and bytes', async () => {
    const headers = bearer(testToken({ sub: randomUUID() }));
    const body = JSON.stringify({ query: QUERY });
    const alone = await known(body, headers);
    expect(JSON.parse(alone.text)).toEqual({
      data: { productBySku: { sku: 'INFLIGHT-1', name: 'Kettle', price: { amount: 900 } } },
    });
    const shared = await metric('gateway_inflight_shared_total');
    const answers = await whileHeld(
      () => post(body, headers),
      Array.from({ length: 4 }, () => () => post(body, headers)),
      4,
    );
    for (const answer of answers) expect(answer).toEqual(alone);
    expect((await metric('gateway_inflight_shared_total')) - shared).toBe(4);
  });

  it("never shares one caller's answer with another caller, nor with an anonymous one", async () => {
    const body = JSON.stringify({ query: QUERY });
    const alice = bearer(testToken({ sub: randomUUID() }));
    const bob = bearer(testToken({ sub: randomUUID() }));
    await known(body, alice);
    await known(body, bob);
    await known(body, {});
    const shared = await metric('gateway_inflight_shared_total');
    const waitingBefore = await metric('gateway_inflight_waiting');
    gate.hold();
    const first = post(body, alice);
    await eventually(async () => gate.holds(), "alice's first request reaches the subgraph");
    // Bob's and the anonymous one are answered while alice's first is still held: they joined nothing.
    const others = await Promise.all([post(body, bob), post(body, {})]);
    const second = post(body, alice);
    await eventually(
      async () => (await metric('gateway_inflight_waiting')) - waitingBefore >= 1,
      "alice's second request waits for her first",
    );
    gate.release();
    const answers = [...others, await first, await second];
    expect((await metric('gateway_inflight_shared_total')) - shared).toBe(1);
    expect(answers.map(({ status }) => status)).toEqual([200, 200, 200, 200]);
  });

  it('never answers a query sent after a mutation with an answer begun before it', async () => {
    const headers = asAdmin();
    const body = JSON.stringify({ query: QUERY });
    await known(body, headers);
    const shared = await metric('gateway_inflight_shared_total');
    gate.hold();
    const before = post(body, headers);
    await eventually(async () => gate.holds(), 'the first query reaches the subgraph');
    const renamed = await graphqlRequest<{ updateProduct: { name: string } }>(
      gateway.url,
      `mutation Rename($id: ID!) { updateProduct(input: { id: $id, name: "Kettle II" }) { id name } }`,
      { id: productId },
      { headers },
    );
    expect(renamed.data?.updateProduct.name).toBe('Kettle II');
    // Neither the whole query nor its subgraph request may join the one still held.
    const after = await post(body, headers);
    gate.release();
    expect(JSON.parse(after.text).data.productBySku.name).toBe('Kettle II');
    expect((await before).status).toBe(200);
    expect((await metric('gateway_inflight_shared_total')) - shared).toBe(0);
  });

  it('lets identical mutations run each on their own', async () => {
    const headers = asAdmin();
    const restock = JSON.stringify({
      query: `mutation Restock($id: ID!) { restock(input: { productId: $id, quantity: 1 }) { stock } }`,
      variables: { id: productId },
    });
    const stock = async () =>
      (
        await graphqlRequest<{ product: { stock: number } }>(
          gateway.url,
          `query Stock($id: ID!) { product(id: $id) { stock } }`,
          { id: productId },
          { headers },
        )
      ).data!.product.stock;
    const before = await stock();
    const shared = await metric('gateway_inflight_shared_total');
    await known(restock, headers);
    gate.hold();
    const first = post(restock, headers);
    await eventually(async () => gate.holds(), 'the first mutation reaches the subgraph');
    // The others run while the first is still held: none waits for its answer.
    const others = await Promise.all([post(restock, headers), post(restock, headers)]);
    gate.release();
    const answers = [await first, ...others];
    expect(answers.map(({ status }) => status)).toEqual([200, 200, 200]);
    expect(await stock()).toBe(before + 5);
    expect((await metric('gateway_inflight_shared_total')) - shared).toBe(0);
  });

  it('refuses a request over its rate-limit budget instead of sharing an answer with it', async () => {
    const headers = bearer(testToken({ sub: randomUUID() }));
    const bySku = `query Kettle($sku: String!) { productBySku(sku: $sku) { sku name } }`;
    // The document learnt with other variables, so the answer below is not in the response cache yet.
    await known(JSON.stringify({ query: bySku, variables: { sku: 'INFLIGHT-1' } }), headers, limited.url);
    const body = JSON.stringify({ query: bySku, variables: { sku: ' INFLIGHT-1' } });
    const shared = await metric('gateway_inflight_shared_total', limited);
    gate.hold();
    const first = post(body, headers, { url: limited.url }); // the third request of the budget
    await eventually(async () => gate.holds(), 'the first request reaches the subgraph');
    const over = await Promise.all([
      post(body, headers, { url: limited.url }),
      post(body, headers, { url: limited.url }),
    ]);
    gate.release();
    expect(over.map(({ status }) => status)).toEqual([429, 429]);
    expect((await first).status).toBe(200);
    expect((await metric('gateway_inflight_shared_total', limited)) - shared).toBe(0);
  });

  it('does not leave others waiting on a refused request whose client left while it was held', async () => {
    // No such product: an answer with a null entity is never stored, so each request reaches the de-duplication.
    const body = JSON.stringify({ query: `query Anyone { productBySku(sku: "NO-SUCH-SKU") { sku } }` });
    // Anonymous from 127.0.0.1: its three requests spent, the document known.
    await known(body, {}, limited.url);
    await post(body, {}, { url: limited.url });
    // The fourth is refused, its 429 held back half a second; its client leaves meanwhile.
    const leaving = new AbortController();
    const sent = post(body, {}, { url: limited.url, signal: leaving.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    leaving.abort();
    await sent;
    // Past its hold: the refused request has come back from its budget, its client gone.
    await new Promise((resolve) => setTimeout(resolve, 800));
    // Another anonymous client (another address, its own budget) is answered, not left waiting.
    const other = await post(body, {}, { url: limited.url, localAddress: '127.0.0.2' });
    expect(other.status).toBe(200);
  });
});
