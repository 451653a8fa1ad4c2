import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { IDE_DEFAULT_QUERY, IDE_SUBSCRIPTION_EXAMPLE } from '@polystore/gateway/ide';
import { asAdmin, eventually, graphqlRequest, upsertTestCategory } from '@polystore/testing';
import { subscribeOverSse, type TestSubscription } from '@polystore/testing/subscriptions';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * What a new user sees first in the IDE: our product page and subscription,
 * never GraphiQL's generic welcome; both valid against the public schema and
 * answered without a token, as the page promises.
 */
let stack: TestStack;
let subscription: TestSubscription | undefined;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await subscription?.dispose();
  await stack?.dispose();
});

const asAdminAt = (query: string, variables: Record<string, unknown>) =>
  graphqlRequest(stack.gatewayUrl, query, variables, { headers: asAdmin() });

/** The options the served page hands to GraphiQL. */
async function pageOptions(): Promise<{ query?: string; defaultQuery?: string; defaultTabs?: { query: string }[] }> {
  const response = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  const options = /renderYogaGraphiQL\(root,(\{.*?\})\)\}\)<\/script>/.exec(await response.text());
  expect(options).not.toBeNull();
  return JSON.parse(options![1]!) as Awaited<ReturnType<typeof pageOptions>>;
}

describe("the IDE's first screen", () => {
  it('opens on the product page, with the subscription in a second tab', async () => {
    const options = await pageOptions();
    // Without `query` the page shows GraphiQL's "Welcome to …" comment instead.
    expect(options.query).toBe(IDE_DEFAULT_QUERY);
    expect(options.defaultTabs?.map((tab) => tab.query)).toEqual([IDE_DEFAULT_QUERY, IDE_SUBSCRIPTION_EXAMPLE]);
    expect(options.defaultQuery).not.toMatch(/welcome|in-browser tool/i);
    expect(IDE_DEFAULT_QUERY).toContain('{"Authorization": "Bearer <token>"} in the Headers tab');
  });

  it('is valid against the public schema', () => {
    const schema = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
    for (const example of [IDE_DEFAULT_QUERY, IDE_SUBSCRIPTION_EXAMPLE]) {
      expect(validate(schema, parse(example))).toEqual([]);
    }
  });

  it('answers the product page without a token, from all three stores', async () => {
    const created = await asAdminAt(
      `mutation { createProduct(input: { sku: "IDE-PAGE-1", name: "First screen", price: { amount: 1500, currency: "EUR" }, stock: 4 }) { id } }`,
      {},
    );
    const productId = created.data!.createProduct.id as string;
    await upsertTestCategory(stack.gatewayUrl, 'ide-lamps');
    const details = await asAdminAt(
      `mutation ($input: UpsertProductDetailsInput!) { upsertProductDetails(input: $input) { id } }`,
      { input: { productId, description: 'A lamp', category: 'ide-lamps' } },
    );
    expect(details.errors).toBeUndefined();

    const page = await graphqlRequest(stack.gatewayUrl, IDE_DEFAULT_QUERY, {});
    expect(page.errors).toBeUndefined();
    expect(page.data!.products.edges).toEqual([
      {
        node: {
          name: 'First screen',
          price: { amount: 1500, currency: 'EUR' },
          stock: 4,
          details: { description: 'A lamp' },
          reviews: { edges: [] },
          images: [],
        },
      },
    ]);
  });

  it('delivers the subscription without a token', async () => {
    subscription = await subscribeOverSse(stack.gatewayUrl, IDE_SUBSCRIPTION_EXAMPLE, {});
    const created = await asAdminAt(
      `mutation { createProduct(input: { sku: "IDE-SUB-1", name: "Restocked", price: { amount: 100, currency: "EUR" }, stock: 1 }) { id } }`,
      {},
    );
    const productId = created.data!.createProduct.id as string;
    // Restocked until the subscription, which starts asynchronously, has heard one.
    const heard = () =>
      subscription!.received.some(
        (result) =>
          (result as { data?: { inventoryChanged?: { name: string } } }).data?.inventoryChanged?.name === 'Restocked',
      );
    await eventually(async () => {
      if (!heard())
        await asAdminAt(`mutation ($input: RestockInput!) { restock(input: $input) { id } }`, {
          input: { productId, quantity: 1 },
        });
      return heard();
    }, 'an inventoryChanged event reaches the anonymous subscription');
    expect(subscription.received).not.toContainEqual(expect.objectContaining({ errors: expect.anything() }));
  });
});
