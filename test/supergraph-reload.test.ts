import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '@polystore/gateway';
import { composeSupergraph } from '@polystore/gateway/compose';
import { asAdmin, eventually, graphqlRequest, testServiceContext } from '@polystore/testing';
import { startTestStack, type TestStack } from './support/stack.js';
import { subscribeOverSse, subscribeOverWebSocket, type TestSubscription } from '@polystore/testing/subscriptions';

/**
 * The gateway watches its supergraph file and swaps to a new version without
 * a restart; a broken file is refused and the current supergraph keeps serving.
 */
let stack: TestStack;
let dir: string;
let gatewayUrl: string;
let close: () => Promise<void>;
let subscription: TestSubscription | undefined;
let removedField: TestSubscription | undefined;
let overSse: TestSubscription | undefined;
/** Two identical anonymous subscriptions (one shared execution): the first leaves before the swap. */
let leaving: TestSubscription | undefined;
let staying: TestSubscription | undefined;

beforeAll(async () => {
  stack = await startTestStack();
  dir = await mkdtemp(join(tmpdir(), 'polystore-supergraph-'));
  const file = join(dir, 'supergraph.graphql');
  await writeFile(file, composeSupergraph(stack.subgraphUrls));
  const context = testServiceContext({
    ...stack.env,
    SUPERGRAPH_PATH: file,
    SUPERGRAPH_POLL_MS: '100',
  });
  const gateway = await createGateway(context);
  gatewayUrl = await gateway.listen(0);
  close = () => context.teardown.close();
});

afterAll(async () => {
  await subscription?.dispose();
  await removedField?.dispose();
  await overSse?.dispose();
  await leaving?.dispose();
  await staying?.dispose();
  await close?.();
  await stack?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const productFields = async () =>
  (
    (await graphqlRequest(gatewayUrl, '{ __type(name: "Product") { fields { name } } }')).data!.__type.fields as {
      name: string;
    }[]
  ).map((field) => field.name);

/** Restocks the product (one event each) until `done`, at most `attempts` times. */
async function restockUntil(productId: string, done: () => boolean, attempts: number): Promise<void> {
  for (let attempt = 0; attempt < attempts && !done(); attempt++) {
    await graphqlRequest(
      gatewayUrl,
      `mutation ($id: ID!) { restock(input: { productId: $id, quantity: 1 }) { stock } }`,
      { id: productId },
      { headers: asAdmin() },
    );
    await stack.sql.flushOutbox();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('supergraph hot reload', () => {
  it('serves a new supergraph without a restart; open subscriptions go on receiving events', async () => {
    const created = await graphqlRequest(
      gatewayUrl,
      `mutation { createProduct(input: { sku: "RELOAD-1", name: "Lamp", price: { amount: 500, currency: "USD" }, stock: 1 }) { id } }`,
      {},
      { headers: asAdmin() },
    );
    const productId = created.data!.createProduct.id as string;
    subscription = subscribeOverWebSocket(
      gatewayUrl,
      'subscription ($id: ID) { inventoryChanged(productId: $id) { id stock } }',
      { id: productId },
    );
    overSse = await subscribeOverSse(
      gatewayUrl,
      'subscription ($id: ID) { inventoryChanged(productId: $id) { id stock } }',
      { id: productId },
    );
    // This one selects the field the new supergraph drops.
    removedField = subscribeOverWebSocket(
      gatewayUrl,
      'subscription ($id: ID) { inventoryChanged(productId: $id) { id salesCount } }',
      { id: productId },
    );
    const shared = 'subscription ($id: ID) { inventoryChanged(productId: $id) { stock id } }';
    leaving = subscribeOverWebSocket(gatewayUrl, shared, { id: productId });
    staying = subscribeOverWebSocket(gatewayUrl, shared, { id: productId });
    expect(await productFields()).toContain('salesCount');
    // Subscriptions start asynchronously: restock until the first event arrives (bounded).
    await restockUntil(
      productId,
      () =>
        subscription!.received.length > 0 &&
        overSse!.received.length > 0 &&
        leaving!.received.length > 0 &&
        staying!.received.length > 0,
      10,
    );
    // The shared execution was started for the first of the two; it leaves, the other stays.
    await leaving.dispose();
    // The subscription is live before the swap.
    expect(subscription.received[0]).toMatchObject({ data: { inventoryChanged: { id: productId } } });

    // A new version of the file: here a field is gone, as after `npm run compose` with a changed schema.
    await writeFile(
      join(dir, 'supergraph.graphql'),
      composeSupergraph(stack.subgraphUrls).replace(/^\s*salesCount: .*$/m, ''),
    );
    await eventually(async () => !(await productFields()).includes('salesCount'), 'the new supergraph is served');

    // The runtime ends streams on the replaced supergraph; the gateway subscribes again on the new
    // one, so the same client subscription goes on receiving events, with no `complete`.
    const before = subscription.received.length;
    const beforeSse = overSse.received.length;
    const beforeStaying = staying.received.length;
    await restockUntil(
      productId,
      () =>
        subscription!.received.length > before &&
        overSse!.received.length > beforeSse &&
        staying!.received.length > beforeStaying,
      20,
    );
    // The shared execution is followed across the swap for whoever still listens.
    expect(staying.received.slice(beforeStaying)).not.toContainEqual(expect.objectContaining({ complete: true }));
    expect(staying.received.at(-1)).toMatchObject({ data: { inventoryChanged: { id: productId } } });
    expect(subscription.received.slice(before)).not.toContainEqual(expect.objectContaining({ complete: true }));
    expect(subscription.received.at(-1)).toMatchObject({ data: { inventoryChanged: { id: productId } } });
    // The same over SSE.
    expect(overSse.received.slice(beforeSse)).not.toContainEqual(expect.objectContaining({ complete: true }));
    expect(overSse.received.at(-1)).toMatchObject({ data: { inventoryChanged: { id: productId } } });
    // @defer runs on the new supergraph (its own stitched schema), which still declares the directive
    // and refuses the dropped field in a deferred fragment as anywhere else.
    const deferred = (selection: string) =>
      graphqlRequest(gatewayUrl, `query ($id: ID!) { product(id: $id) { id ... @defer { ${selection} } } }`, {
        id: productId,
      });
    expect((await deferred('stock')).data).toEqual({ product: { id: productId, stock: expect.any(Number) } });
    expect((await deferred('salesCount')).errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) }),
    ]);
    const directives = await graphqlRequest(gatewayUrl, '{ __schema { directives { name } } }');
    expect(directives.data!.__schema.directives).toEqual(
      expect.arrayContaining([{ name: 'defer' }, { name: 'stream' }]),
    );
    // An operation the new supergraph refuses gets that error, then ends.
    await eventually(
      async () => (removedField!.received.at(-1) as { complete?: boolean } | undefined)?.complete === true,
      'the subscription on a removed field ends',
    );
    expect(removedField.received.at(-2)).toMatchObject({
      errors: [expect.objectContaining({ message: expect.stringContaining('salesCount') })],
    });
  });

  it('refuses a broken supergraph file and keeps serving the current one', async () => {
    await writeFile(join(dir, 'supergraph.graphql'), 'type Query { this is not a supergraph');
    // Several polls pass.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const fields = await productFields();
    expect(fields).toContain('sku');
    expect(fields).not.toContain('salesCount');
    const products = await graphqlRequest(gatewayUrl, '{ products(first: 1) { totalCount } }');
    expect(products.errors).toBeUndefined();
  });
});
