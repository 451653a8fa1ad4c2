import { errorCodes, upsertTestCategory } from '@polystore/testing';
import { startMongoTestBed, type MongoTestBed } from './support/test-bed.js';

/** Search over details, with the owner's fields copied at write time and kept fresh from product events. */
let bed: MongoTestBed;
let ids: string[];
let userId: string;

const SEARCH = `query ($text: String, $category: String, $tags: [String!], $attributes: [AttributeFilter!], $sort: ProductSearchSort, $first: Int, $after: String) {
  searchProducts(text: $text, category: $category, tags: $tags, attributes: $attributes, sort: $sort, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } }
  }
}`;

const LAPTOPS = [
  { description: 'Thin and light ultrabook', tags: ['travel'], attributes: { cpu: 'M3', ramGb: 8 } },
  { description: 'Workstation for video editing', tags: ['pro', 'video'], attributes: { cpu: 'i9', ramGb: 64 } },
  { description: 'Gaming laptop with a fast screen', tags: ['gaming'], attributes: { cpu: 'Ryzen', ramGb: 32 } },
  { description: 'Budget laptop for school', tags: ['school', 'travel'], attributes: { cpu: 'N100', ramGb: 16 } },
];

async function waitFor(what: string, check: () => Promise<boolean>) {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not within 100 attempts: ${what}`);
}

const search = async (variables: Record<string, unknown>) => {
  const answer = await bed.gql(SEARCH, variables);
  expect(answer.errors).toBeUndefined();
  return answer.data!.searchProducts as {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string };
    edges: { node: { id: string } }[];
  };
};
const idsOf = (result: { edges: { node: { id: string } }[] }) => result.edges.map((edge) => ids.indexOf(edge.node.id));

beforeAll(async () => {
  bed = await startMongoTestBed();
  await upsertTestCategory(bed.url, 'laptops', [
    { name: 'cpu', type: 'STRING', required: true },
    { name: 'ramGb', type: 'INT', required: true },
  ]);
  ({ userId, productIds: ids } = await bed.seed(LAPTOPS.length));
  for (const [i, laptop] of LAPTOPS.entries()) {
    const written = await bed.gql(
      `mutation ($input: UpsertProductDetailsInput!) { upsertProductDetails(input: $input) { id } }`,
      { input: { productId: ids[i], category: 'laptops', ...laptop } },
    );
    expect(written.errors).toBeUndefined();
  }
  // Ratings for sort: RATING (product 2 best, then 0).
  for (const [i, rating] of [
    [2, 5],
    [0, 4],
    [1, 2],
  ] as const) {
    await bed.gql(`mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`, {
      input: { productId: ids[i], userId, rating, title: 't', body: '' },
    });
  }
});
afterAll(() => bed?.dispose());

describe('searchProducts', () => {
  it('matches every word in any case over name, description and tags', async () => {
    expect(idsOf(await search({ text: 'LAPTOP', sort: 'NEWEST' }))).toEqual([3, 2]);
    expect(idsOf(await search({ text: 'travel thin' }))).toEqual([0]);
    // The seeded names are "Product 0".."Product 3": a name matches. (The digit alone can also
    // match other products' SKUs, which carry the seeding run's base-36 id.)
    expect(idsOf(await search({ text: 'product 1' }))).toContain(1);
    expect((await search({ text: 'product' })).totalCount).toBe(4);
  });

  it('filters by category, tags, attribute equality and numeric ranges', async () => {
    expect(idsOf(await search({ category: 'laptops', tags: ['travel'], sort: 'NEWEST' }))).toEqual([3, 0]);
    expect(idsOf(await search({ attributes: [{ name: 'ramGb', gte: 16, lt: 64 }], sort: 'NEWEST' }))).toEqual([3, 2]);
    expect(idsOf(await search({ attributes: [{ name: 'cpu', eq: 'i9' }] }))).toEqual([1]);
    expect((await search({ category: 'phones' })).totalCount).toBe(0);
  });

  it('sorts by rating and by relevance (name over tags over description)', async () => {
    expect(idsOf(await search({ sort: 'RATING', first: 3 }))).toEqual([2, 0, 1]);
    // "travel" is a tag of 0 and 3; "school" a tag and a word of 3's description.
    expect(idsOf(await search({ text: 'school', sort: 'RELEVANCE' }))).toEqual([3]);
    expect(idsOf(await search({ text: 'product 2 gaming', sort: 'RELEVANCE' }))).toEqual([2]);
    // Every name contains "pro" (Product N): 3 each; 1 also has the tag "pro": 5. Ties: newest first.
    expect(idsOf(await search({ text: 'pro', sort: 'RELEVANCE' }))).toEqual([1, 3, 2, 0]);
    // "laptop" is in the descriptions of 2 and 3; "gaming" is also 2's tag and in its description.
    expect(idsOf(await search({ text: 'laptop gaming', sort: 'RELEVANCE' }))).toEqual([2]);
    expect(idsOf(await search({ text: 'laptop', sort: 'RELEVANCE' }))).toEqual([3, 2]);
  });

  it.each([
    ['NEWEST', undefined, [3, 2, 1, 0]],
    ['RATING', undefined, [2, 0, 1, 3]],
    ['RELEVANCE', 'pro', [1, 3, 2, 0]],
  ])('pages %s with cursors to the end without repeats', async (sort, text, expected) => {
    const seen: number[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await search({ sort, text, first: 1, after });
      seen.push(...idsOf(result));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('finds a product by its new name once the ProductUpdated event has flowed through the stream', async () => {
    const renamed = await bed.sql.gql(
      `mutation ($id: ID!) { updateProduct(input: { id: $id, name: "Zephyrus" }) { id } }`,
      {
        id: ids[2],
      },
    );
    expect(renamed.errors).toBeUndefined();
    await waitFor('the new name in search', async () => (await search({ text: 'zephyrus' })).totalCount === 1);
    expect(idsOf(await search({ text: 'zephyrus' }))).toEqual([2]);
  });

  it('rejects operator injection, oversized text, first beyond the maximum and garbage cursors', async () => {
    for (const variables of [
      { attributes: [{ name: '$where', eq: '1' }] },
      { attributes: [{ name: 'a.b', eq: 1 }] },
      { attributes: [{ name: 'cpu', eq: { $gt: '' } }] },
      { attributes: [{ name: 'cpu' }] },
      { attributes: [{ name: 'ramGb', eq: 1, gte: 2 }] },
      { text: 'a b c d e f g h i j k' },
      { text: 'x'.repeat(65) },
      { category: '{"$ne": null}' },
      { first: 101 },
      { after: 'garbage' },
      { after: Buffer.from('["x", 1]').toString('base64url') },
    ]) {
      expect(errorCodes(await bed.gql(SEARCH, variables))).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('treats regular-expression characters in text as plain characters', async () => {
    expect((await search({ text: '.*' })).totalCount).toBe(0);
  });
});

describe('events', () => {
  it("removes a deleted user's reviews and recomputes the ratings of what they reviewed", async () => {
    const reviewer = await bed.createUser();
    await bed.gql(`mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`, {
      input: { productId: ids[3], userId: reviewer, rating: 1, title: 'bad', body: '' },
    });
    const rating = `{ _entities(representations: [{ __typename: "Product", id: "${ids[3]}" }]) { ... on Product { rating { count } } } }`;
    expect((await bed.gql(rating)).data!._entities[0].rating.count).toBe(1);
    expect(
      errorCodes(await bed.sql.gql(`mutation ($id: ID!) { deleteUser(input: { id: $id }) { id } }`, { id: reviewer })),
    ).toEqual([]);
    await waitFor(
      'the review gone',
      async () => (await bed.subgraph.store.reviews.countDocuments({ userId: reviewer })) === 0,
    );
    await waitFor(
      'the cached rating dropped',
      async () => (await bed.gql(rating)).data!._entities[0].rating.count === 0,
    );
  });

  it("removes a deleted product's details and reviews", async () => {
    const deleted = await bed.sql.gql(`mutation ($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, {
      id: ids[0],
    });
    expect(deleted.errors).toBeUndefined();
    await waitFor('details and reviews gone', async () => {
      const [details, reviews] = await Promise.all([
        bed.subgraph.store.productDetails.countDocuments({ productId: ids[0] }),
        bed.subgraph.store.reviews.countDocuments({ productId: ids[0] }),
      ]);
      return details + reviews === 0;
    });
    expect(idsOf(await search({ text: 'ultrabook' }))).toEqual([]);
  });
});
