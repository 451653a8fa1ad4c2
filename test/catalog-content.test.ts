import {
  asAdmin,
  bearer,
  errorCodes,
  eventually,
  graphqlRequest,
  signedSubgraphRequest,
  startedOncePerFile,
  testToken,
  upsertTestCategory,
} from '@polystore/testing';
import { startTestStack } from './support/stack.js';

/**
 * The document subgraph through the gateway: every product is searchable
 * from the product events, reviews belong to their author, and catalog
 * content is an admin's to write (at the gateway and in the subgraph).
 */
const stack = startedOncePerFile(startTestStack);

type Options = { headers?: Record<string, string> };
const gql = (query: string, variables: Record<string, unknown> = {}, options: Options = {}) =>
  graphqlRequest(stack.gatewayUrl, query, variables, options);
const admin = { headers: asAdmin() };
const as = (sub: string): Options => ({ headers: bearer(testToken({ sub })) });

const SEARCH = `query ($text: String!) { searchProducts(text: $text) { edges { node { id name price { amount } } } } }`;
const searchIds = async (text: string) => {
  const answer = await gql(SEARCH, { text });
  expect(answer.errors).toBeUndefined();
  // Between a product's deletion and its event the search still lists it, and the gateway resolves it to null.
  return answer.data!.searchProducts.edges.map((edge: { node: { id: string } | null }) => edge.node?.id ?? null);
};

async function createUser(email: string): Promise<string> {
  const created = await gql(
    `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
    { input: { email, name: email } },
    admin,
  );
  expect(created.errors).toBeUndefined();
  return created.data!.createUser.id;
}

async function createProduct(sku: string, name: string): Promise<string> {
  const created = await gql(
    `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
    { input: { sku, name, price: { amount: 1500, currency: 'EUR' }, stock: 3 } },
    admin,
  );
  expect(created.errors).toBeUndefined();
  return created.data!.createProduct.id;
}

describe('search covers every product', () => {
  it('has caught up with the owner at start-up, through signed requests', async () => {
    await stack.mongo.searchCatchUp;
    const progress = await stack.mongo.store.backfills.findOne({ name: 'product-search-documents' });
    expect(progress?.completedAt).toBeInstanceOf(Date);
  });

  it('finds a product with no details by a word of its name, then by its new name only, and not once deleted', async () => {
    const id = await createProduct('SEARCH-E2E-1', 'Axolotl aquarium');
    await eventually(async () => (await searchIds('axolotl')).includes(id), 'the new product in search');
    const found = await gql(SEARCH, { text: 'AXOLOTL' });
    expect(found.data!.searchProducts.edges).toEqual([
      { node: { id, name: 'Axolotl aquarium', price: { amount: 1500 } } },
    ]);

    const renamed = await gql(
      `mutation ($id: ID!) { updateProduct(input: { id: $id, name: "Capybara aquarium" }) { id } }`,
      { id },
      admin,
    );
    expect(renamed.errors).toBeUndefined();
    await eventually(async () => (await searchIds('capybara')).includes(id), 'the new name in search');
    expect(await searchIds('axolotl')).toEqual([]);

    const deleted = await gql(`mutation ($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id }, admin);
    expect(deleted.errors).toBeUndefined();
    await eventually(async () => (await searchIds('capybara')).length === 0, 'the deleted product out of search');
    expect(await stack.mongo.store.productDetails.countDocuments({ productId: id })).toBe(0);
  });
});

describe('reviews belong to their author', () => {
  const ADD = `mutation ($input: AddReviewInput!) { addReview(input: $input) { id rating author { id name } } }`;
  const UPDATE = `mutation ($id: ID!) { updateReview(input: { id: $id, rating: 1, title: "changed" }) { rating } }`;
  const DELETE = `mutation ($id: ID!) { deleteReview(input: { id: $id }) }`;
  const READ = `query ($id: ID!) { review(id: $id) { rating title } }`;
  let alice: string;
  let bob: string;
  let productId: string;

  beforeAll(async () => {
    alice = await createUser('alice@reviews.test');
    bob = await createUser('bob@reviews.test');
    productId = await createProduct('REVIEW-E2E-1', 'Reviewed kettle');
  });

  it('writes a review as the signed-in user, and refuses an anonymous one with UNAUTHENTICATED', async () => {
    const anonymous = await gql(ADD, { input: { productId, rating: 5, title: 'anon', body: '' } });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    // Bob may not write in Alice's name.
    const impersonated = await gql(
      ADD,
      { input: { productId, userId: alice, rating: 1, title: 'x', body: '' } },
      as(bob),
    );
    expect(errorCodes(impersonated)).toEqual(['FORBIDDEN']);
    const reviews = await gql(`query ($id: ID!) { product(id: $id) { reviews { totalCount } } }`, { id: productId });
    expect(reviews.data!.product.reviews.totalCount).toBe(0);

    const added = await gql(ADD, { input: { productId, rating: 4, title: 'Good', body: 'Boils fast' } }, as(alice));
    expect(added.errors).toBeUndefined();
    expect(added.data!.addReview).toMatchObject({ rating: 4, author: { id: alice, name: 'alice@reviews.test' } });
  });

  it("refuses another user's updateReview and deleteReview with FORBIDDEN and changes nothing; the author and an admin may", async () => {
    const added = await gql(ADD, { input: { productId, rating: 3, title: 'Mine', body: '' } }, as(bob));
    expect(added.errors).toBeUndefined();
    const id = added.data!.addReview.id as string;

    expect(errorCodes(await gql(UPDATE, { id }, as(alice)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await gql(DELETE, { id }, as(alice)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await gql(DELETE, { id }))).toEqual(['UNAUTHENTICATED']);
    expect((await gql(READ, { id })).data!.review).toEqual({ rating: 3, title: 'Mine' });

    expect((await gql(UPDATE, { id }, as(bob))).data).toEqual({ updateReview: { rating: 1 } });
    expect((await gql(DELETE, { id }, admin)).data).toEqual({ deleteReview: id });
    expect((await gql(READ, { id })).data!.review).toBeNull();
  });
});

describe('catalog content is an admin’s to write', () => {
  const UPSERT_CATEGORY = `mutation { upsertCategory(input: { slug: "locked", name: "Locked", attributes: [] }) { slug } }`;
  const categoryExists = async () => (await gql(`{ category(slug: "locked") { slug } }`)).data!.category !== null;

  it('is refused at the gateway without a token or without the admin scope', async () => {
    expect(errorCodes(await gql(UPSERT_CATEGORY))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(UPSERT_CATEGORY, {}, as('00000000-0000-4000-8000-00000000000a')))).toEqual([
      'FORBIDDEN',
    ]);
    expect(await categoryExists()).toBe(false);
  });

  it('is refused by the subgraph itself when signed claims lack the scope', async () => {
    const mongo = stack.subgraphUrls.mongo;
    const anonymous = await signedSubgraphRequest(mongo, UPSERT_CATEGORY);
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const user = await signedSubgraphRequest(
      mongo,
      UPSERT_CATEGORY,
      {},
      { sub: '00000000-0000-4000-8000-00000000000a' },
    );
    expect(errorCodes(user)).toEqual(['FORBIDDEN']);
    const productId = await createProduct('LOCKED-E2E-1', 'Locked lamp');
    await upsertTestCategory(stack.gatewayUrl, 'open');
    const details = await signedSubgraphRequest(
      mongo,
      `mutation ($id: ID!) { upsertProductDetails(input: { productId: $id, description: "d", category: "open" }) { id } }`,
      { id: productId },
      { sub: '00000000-0000-4000-8000-00000000000a' },
    );
    expect(errorCodes(details)).toEqual(['FORBIDDEN']);
    const review = await signedSubgraphRequest(
      mongo,
      `mutation ($id: ID!) { addReview(input: { productId: $id, rating: 5, title: "t", body: "" }) { id } }`,
      { id: productId },
    );
    expect(errorCodes(review)).toEqual(['UNAUTHENTICATED']);
    expect(await categoryExists()).toBe(false);

    const byAdmin = await signedSubgraphRequest(mongo, UPSERT_CATEGORY, {}, { sub: 'x', scope: 'admin' });
    expect(byAdmin.errors).toBeUndefined();
    expect(await categoryExists()).toBe(true);
  });
});
