import { ADMIN_SCOPE, SERVICE_EXTENSION, signedExtensions, type Claims } from '@polystore/common';
import { errorCodes, rawRequest, signedSubgraphRequest, TEST_AUTH_ENV } from '@polystore/testing';
import { startSqlTestBed, type SqlTestBed } from './support/test-bed.js';

/**
 * The sql-subgraph as the gateway's signing makes it: it runs only the signed
 * operation of a JSON POST, a signed mutation once, and private entities reached
 * by reference (`_entities`, the way the gateway joins another subgraph's
 * answer to them) under the same rule as their root fields.
 */
let bed: SqlTestBed;
const secret = TEST_AUTH_ENV.SUBGRAPH_SIGNING_SECRET;
const ADMIN: Claims = { sub: '00000000-0000-4000-8000-000000000000', scope: ADMIN_SCOPE };
let owner: string;
let other: string;
let productId: string;
let orderId: string;

const signed = <Data = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, claims?: Claims) =>
  signedSubgraphRequest<Data>(bed.url, query, variables, claims);

async function createUser(email: string): Promise<string> {
  const created = await signed(
    `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
    { input: { email, name: email } },
    ADMIN,
  );
  expect(created.errors).toBeUndefined();
  return created.data!.createUser.id;
}

beforeAll(async () => {
  bed = await startSqlTestBed({ SUBGRAPH_SIGNING_SECRET: secret });
  [owner, other] = [await createUser('owner@signed.test'), await createUser('other@signed.test')];
  const product = await signed(
    `mutation { createProduct(input: { sku: "SIGNED-1", name: "Signed", price: { amount: 700, currency: "EUR" }, stock: 10 }) { id } }`,
    {},
    ADMIN,
  );
  productId = product.data!.createProduct.id;
  const placed = await signed(
    `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
    { input: { userId: owner, items: [{ productId, quantity: 1 }] } },
    { sub: owner },
  );
  expect(placed.errors).toBeUndefined();
  orderId = placed.data!.placeOrder.id;
});
afterAll(async () => {
  await bed?.dispose();
});

const ORDER_BY_REFERENCE = `query ($id: ID!) {
  _entities(representations: [{ __typename: "Order", id: $id }]) {
    ... on Order { id status total { amount } items { quantity } user { id } }
  }
}`;
const USER_BY_REFERENCE = `query ($id: ID!) {
  _entities(representations: [{ __typename: "User", id: $id }]) {
    ... on User { name email orders(first: 5) { totalCount } orderSummary { orderCount } }
  }
}`;

describe('private entities by reference', () => {
  it('gives an Order only to its owner or an admin: UNAUTHENTICATED without claims, FORBIDDEN for another user', async () => {
    const anonymous = await signed(ORDER_BY_REFERENCE, { id: orderId });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.data?._entities).toEqual([null]);
    const stranger = await signed(ORDER_BY_REFERENCE, { id: orderId }, { sub: other });
    expect(errorCodes(stranger)).toEqual(['FORBIDDEN']);
    expect(stranger.data?._entities).toEqual([null]);
    for (const claims of [{ sub: owner }, ADMIN]) {
      const allowed = await signed(ORDER_BY_REFERENCE, { id: orderId }, claims);
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data!._entities).toEqual([
        { id: orderId, status: 'PENDING', total: { amount: 700 }, items: [{ quantity: 1 }], user: { id: owner } },
      ]);
    }
  });

  it("keeps a User's email, orders and summary private when reached by reference; the name stays public", async () => {
    const userBy = (selection: string) =>
      `query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { ${selection} } } }`;
    for (const field of ['email', 'orders(first: 5) { totalCount }', 'orderSummary { orderCount }']) {
      const anonymous = await signed(userBy(`name ${field}`), { id: owner });
      expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
      expect(anonymous.data?._entities).toEqual([null]);
      const stranger = await signed(userBy(`name ${field}`), { id: owner }, { sub: other });
      expect(errorCodes(stranger)).toEqual(['FORBIDDEN']);
      expect(stranger.data?._entities).toEqual([null]);
    }
    for (const claims of [{ sub: owner }, ADMIN]) {
      const allowed = await signed(USER_BY_REFERENCE, { id: owner }, claims);
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data!._entities).toEqual([
        {
          name: 'owner@signed.test',
          email: 'owner@signed.test',
          orders: { totalCount: 1 },
          orderSummary: { orderCount: 1 },
        },
      ]);
    }
    expect((await signed(userBy('name'), { id: owner })).data!._entities).toEqual([{ name: 'owner@signed.test' }]);
  });

  it("answers another subgraph's signed service read (whose the order is), and refuses a client's claim to one", async () => {
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Order { user { id } } } }`;
    const variables = { representations: [{ __typename: 'Order', id: orderId }] };
    const post = (extensions: Record<string, unknown>) =>
      fetch(bed.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables, extensions }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));
    const service = signedExtensions(secret, {
      query,
      variables,
      extensions: { [SERVICE_EXTENSION]: 'storage-subgraph' },
    });
    expect((await post(service)).body).toEqual({ data: { _entities: [{ user: { id: owner } }] } });
    // The identity is signed: added to a signed anonymous request, it is refused.
    const anonymous = signedExtensions(secret, { query, variables });
    const added = await post({ ...anonymous, [SERVICE_EXTENSION]: 'storage-subgraph' });
    expect(added.status).toBe(401);
    // Inside forwarded token claims it means nothing.
    const inClaims = signedExtensions(secret, {
      query,
      variables,
      extensions: { jwt: { payload: { service: 'storage-subgraph' } } },
    });
    expect(errorCodes((await post(inClaims)).body)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('what runs is what was signed', () => {
  it('refuses a signed body replayed as a GET with another query in the URL, and leaks nothing', async () => {
    const query = '{ products(first: 1) { totalCount } }';
    const body = JSON.stringify({ query, extensions: signedExtensions(secret, { query }) });
    const stolen = '{ users(first: 50) { edges { node { email orders(first: 5) { totalCount } } } } }';
    const answer = await rawRequest('GET', `${bed.url}?query=${encodeURIComponent(stolen)}`, body);
    expect(answer.status).toBe(405);
    expect(JSON.parse(answer.text).errors[0].extensions.code).toBe('METHOD_NOT_ALLOWED');
    expect(answer.text).not.toContain('@signed.test');
  });

  it('places an order once when the same signed mutation arrives twice', async () => {
    const query = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;
    const variables = { input: { userId: other, items: [{ productId, quantity: 2 }] } };
    const body = JSON.stringify({
      query,
      variables,
      extensions: signedExtensions(secret, { query, variables, extensions: { jwt: { payload: { sub: other } } } }),
    });
    const send = () =>
      fetch(bed.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as any }),
      );
    const stockBefore = await bed.stock(productId);
    const first = await send();
    expect(first.body.errors).toBeUndefined();
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(errorCodes(replay.body)).toEqual(['UNAUTHENTICATED']);
    const [orders] = await bed.sql<{ count: number }>('SELECT count(*)::int AS count FROM orders WHERE user_id = $1', [
      other,
    ]);
    expect(orders!.count).toBe(1);
    expect(await bed.stock(productId)).toBe(stockBefore - 2);
  });

  it('answers the same signed query sent twice, both times', async () => {
    const query = `query ($id: ID!) { order(id: $id) { status } }`;
    const variables = { id: orderId };
    const body = JSON.stringify({
      query,
      variables,
      extensions: signedExtensions(secret, { query, variables, extensions: { jwt: { payload: { sub: owner } } } }),
    });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(bed.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(await response.json()).toEqual({ data: { order: { status: 'PENDING' } } });
    }
  });
});

describe("an admin's writes, checked by the subgraph itself", () => {
  const writes: [string, () => { query: string; variables: Record<string, unknown> }][] = [
    [
      'createUser',
      () => ({ query: `mutation { createUser(input: { email: "x@signed.test", name: "X" }) { id } }`, variables: {} }),
    ],
    [
      'createProduct',
      () => ({
        query: `mutation { createProduct(input: { sku: "SIGNED-X", name: "X", price: { amount: 1, currency: "EUR" }, stock: 1 }) { id } }`,
        variables: {},
      }),
    ],
    [
      'updateProduct',
      () => ({
        query: `mutation ($id: ID!) { updateProduct(input: { id: $id, name: "Cheap" }) { id } }`,
        variables: { id: productId },
      }),
    ],
    [
      'restock',
      () => ({
        query: `mutation ($id: ID!) { restock(input: { productId: $id, quantity: 5 }) { id } }`,
        variables: { id: productId },
      }),
    ],
    [
      'deleteProduct',
      () => ({
        query: `mutation ($id: ID!) { deleteProduct(input: { id: $id }) { id } }`,
        variables: { id: productId },
      }),
    ],
    [
      'deleteUser',
      () => ({ query: `mutation ($id: ID!) { deleteUser(input: { id: $id }) { id } }`, variables: { id: other } }),
    ],
    [
      'updateOrderStatus',
      () => ({
        query: `mutation ($id: ID!) { updateOrderStatus(input: { orderId: $id, status: PAID }) { id } }`,
        variables: { id: orderId },
      }),
    ],
  ];

  it.each(writes)(
    'refuses %s without the admin scope, even when signed: UNAUTHENTICATED anonymous, FORBIDDEN for a user',
    async (_name, write) => {
      const { query, variables } = write();
      const stockBefore = await bed.stock(productId);
      expect(errorCodes(await signed(query, variables))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await signed(query, variables, { sub: owner }))).toEqual(['FORBIDDEN']);
      expect(await bed.stock(productId)).toBe(stockBefore);
      const [order] = await bed.sql<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId]);
      expect(order!.status).toBe('PENDING');
    },
  );
});
