import { bearer, errorCodes, graphqlRequest, startedOncePerFile, testToken } from '@polystore/testing';
import { startTestStack } from './support/stack.js';

/**
 * Who may do what: the scopes the schema requires, enforced at the gateway,
 * and ownership, checked by the owning subgraph from the forwarded claims.
 */
const stack = startedOncePerFile(startTestStack);

const PUBLIC_READ = '{ products(first: 1) { totalCount } }';

describe('authorization in the schema, at the gateway', () => {
  const CREATE = `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id sku } }`;
  const input = (sku: string) => ({ sku, name: 'Locked', price: { amount: 100, currency: 'EUR' }, stock: 1 });
  const countProducts = async () =>
    (await graphqlRequest(stack.gatewayUrl, PUBLIC_READ)).data!.products.totalCount as number;

  it('refuses a catalog change without a token (UNAUTHENTICATED) or without the admin scope (FORBIDDEN), and changes nothing', async () => {
    const before = await countProducts();
    const anonymous = await graphqlRequest(stack.gatewayUrl, CREATE, { input: input('LOCK-1') });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const user = await graphqlRequest(
      stack.gatewayUrl,
      CREATE,
      { input: input('LOCK-2') },
      { headers: bearer(testToken({ sub: 'u' })) },
    );
    expect(errorCodes(user)).toEqual(['FORBIDDEN']);
    expect(await countProducts()).toBe(before);
    const admin = await graphqlRequest(
      stack.gatewayUrl,
      CREATE,
      { input: input('LOCK-3') },
      { headers: bearer(testToken({ sub: 'u', scope: 'admin' })) },
    );
    expect(admin.errors).toBeUndefined();
    expect(await countProducts()).toBe(before + 1);
  });

  it('refuses placing an order without a token', async () => {
    const result = await graphqlRequest(
      stack.gatewayUrl,
      `mutation { placeOrder(input: { userId: "00000000-0000-4000-8000-000000000001", items: [] }) { id } }`,
    );
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('ownership, checked by the owning subgraph from the forwarded claims', () => {
  const admin = { headers: bearer(testToken({ sub: '00000000-0000-4000-8000-000000000000', scope: 'admin' })) };
  const as = (sub: string) => ({ headers: bearer(testToken({ sub })) });
  let alice: string;
  let bob: string;
  let productId: string;
  let bobsOrder: string;

  beforeAll(async () => {
    const user = async (email: string) =>
      (
        await graphqlRequest(
          stack.gatewayUrl,
          `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
          { input: { email, name: email } },
          admin,
        )
      ).data!.createUser.id as string;
    [alice, bob] = [await user('alice@owners.test'), await user('bob@owners.test')];
    productId = (
      await graphqlRequest(
        stack.gatewayUrl,
        `mutation { createProduct(input: { sku: "OWN-1", name: "Owned", price: { amount: 100, currency: "EUR" }, stock: 50 }) { id } }`,
        {},
        admin,
      )
    ).data!.createProduct.id;
    const placed = await graphqlRequest(
      stack.gatewayUrl,
      `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
      { input: { userId: bob, items: [{ productId, quantity: 1 }] } },
      as(bob),
    );
    expect(placed.errors).toBeUndefined();
    bobsOrder = placed.data!.placeOrder.id;
  });

  const PLACE = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`;

  it('lets a user place an order for themselves only', async () => {
    const own = await graphqlRequest(
      stack.gatewayUrl,
      PLACE,
      { input: { userId: alice, items: [{ productId, quantity: 1 }] } },
      as(alice),
    );
    expect(own.errors).toBeUndefined();
    const forBob = await graphqlRequest(
      stack.gatewayUrl,
      PLACE,
      { input: { userId: bob, items: [{ productId, quantity: 1 }] } },
      as(alice),
    );
    expect(errorCodes(forBob)).toEqual(['FORBIDDEN']);
  });

  it("refuses reading another user's order (FORBIDDEN), or any order without a token (UNAUTHENTICATED)", async () => {
    const query = `query ($id: ID!) { order(id: $id) { id status } }`;
    expect((await graphqlRequest(stack.gatewayUrl, query, { id: bobsOrder }, as(bob))).data!.order.id).toBe(bobsOrder);
    expect(errorCodes(await graphqlRequest(stack.gatewayUrl, query, { id: bobsOrder }, as(alice)))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await graphqlRequest(stack.gatewayUrl, query, { id: bobsOrder }))).toEqual(['UNAUTHENTICATED']);
    expect((await graphqlRequest(stack.gatewayUrl, query, { id: bobsOrder }, admin)).errors).toBeUndefined();
  });

  it("refuses cancelling another user's order, and leaves it as it was", async () => {
    const cancel = `mutation ($input: CancelOrderInput!) { cancelOrder(input: $input) { status } }`;
    expect(
      errorCodes(await graphqlRequest(stack.gatewayUrl, cancel, { input: { orderId: bobsOrder } }, as(alice))),
    ).toEqual(['FORBIDDEN']);
    const order = await graphqlRequest(
      stack.gatewayUrl,
      `query ($id: ID!) { order(id: $id) { status } }`,
      { id: bobsOrder },
      as(bob),
    );
    expect(order.data!.order.status).toBe('PENDING');
  });

  it('ignores a service identity a client puts in its request: it is never forwarded', async () => {
    const query = `query ($id: ID!) { order(id: $id) { id status } }`;
    const claimed = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { id: bobsOrder }, extensions: { service: 'storage-subgraph' } }),
    });
    expect(errorCodes((await claimed.json()) as never)).toEqual(['UNAUTHENTICATED']);
    const inToken = await graphqlRequest(
      stack.gatewayUrl,
      query,
      { id: bobsOrder },
      { headers: bearer(testToken({ sub: alice, service: 'storage-subgraph' })) },
    );
    expect(errorCodes(inToken)).toEqual(['FORBIDDEN']);
  });

  it("keeps a user's email, orders and summary to that user", async () => {
    const query = `query ($id: ID!) { user(id: $id) { name email orderSummary { orderCount } orders(first: 5) { totalCount } } }`;
    const own = await graphqlRequest(stack.gatewayUrl, query, { id: bob }, as(bob));
    expect(own.errors).toBeUndefined();
    expect(own.data!.user.orders.totalCount).toBe(1);
    const other = await graphqlRequest(stack.gatewayUrl, query, { id: bob }, as(alice));
    expect(new Set(errorCodes(other))).toEqual(new Set(['FORBIDDEN']));
    const anonymous = await graphqlRequest(stack.gatewayUrl, `query ($id: ID!) { user(id: $id) { name email } }`, {
      id: bob,
    });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const publicPart = await graphqlRequest(stack.gatewayUrl, `query ($id: ID!) { user(id: $id) { name } }`, {
      id: bob,
    });
    expect(publicPart.data!.user.name).toBe('bob@owners.test');
  });
});
