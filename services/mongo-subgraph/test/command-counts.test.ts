import { randomUUID } from 'node:crypto';
import { startMongoTestBed, type MongoTestBed } from './support/test-bed.js';
import { reviewIdOf, reviewObjectId } from '../src/review-id.js';

/**
 * Details, reviews and ratings for N products cost the same number of MongoDB
 * commands whatever N is (one per loader), and fewer once Redis holds them.
 */
let bed: MongoTestBed;
beforeAll(async () => {
  bed = await startMongoTestBed();
});
afterAll(() => bed?.dispose());

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Product {
      details { category }
      rating { average count histogram }
      reviews(first: 2) { totalCount edges { node { rating author { id } } } }
    }
  }
}`;

/** N products with details and two reviews each, written straight to MongoDB (reads are what is counted). */
async function productsWithReviews(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const now = Date.now();
  await bed.subgraph.store.productDetails.insertMany(
    ids.map((productId) => ({
      productId,
      description: 'd',
      category: 'misc',
      tags: [],
      attributes: {},
      createdAt: new Date(now),
      updatedAt: new Date(now),
    })),
  );
  await bed.subgraph.store.reviews.insertMany(
    ids.flatMap((productId, i) =>
      [randomUUID(), randomUUID()].map((userId, j) => {
        const id = reviewIdOf(productId, userId);
        const at = new Date(now + i * 10 + j);
        return {
          _id: reviewObjectId(id),
          id,
          productId,
          userId,
          rating: j + 3,
          title: 't',
          body: '',
          createdAt: at,
          updatedAt: at,
        };
      }),
    ),
  );
  return ids;
}

/** The data commands one request sends (handshakes and heartbeats are not the resolvers' doing). */
async function commandsFor(ids: string[]): Promise<string[]> {
  bed.commands.length = 0;
  const answer = await bed.gql(ENTITIES, { representations: ids.map((id) => ({ __typename: 'Product', id })) });
  expect(answer.errors).toBeUndefined();
  expect(answer.data!._entities).toHaveLength(ids.length);
  expect(answer.data!._entities[0].reviews.totalCount).toBe(2);
  return bed.commands
    .map((command) => command.commandName)
    .filter((name) => !['hello', 'ismaster', 'isMaster', 'ping', 'endSessions'].includes(name))
    .sort();
}

describe('MongoDB commands per request', () => {
  it('are the same for 10 and 100 products, and none once details, ratings and first pages are cached', async () => {
    const ten = await productsWithReviews(10);
    const hundred = await productsWithReviews(100);
    const cold10 = await commandsFor(ten);
    const cold100 = await commandsFor(hundred);
    const warm100 = await commandsFor(hundred);
    // details (find), rating (aggregate), newest reviews of each product (aggregate).
    expect(cold10).toEqual(['aggregate', 'aggregate', 'find']);
    expect(cold100).toEqual(cold10);
    // Details, ratings and each product's first page of reviews come from Redis.
    expect(warm100).toEqual([]);
  });

  it('serves a first page of reviews from the cache until a review of its product changes', async () => {
    const {
      userId,
      productIds: [productId],
    } = await bed.seed(1);
    const page = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product {
      reviews(first: 3) { totalCount edges { node { title } } } } } }`;
    const read = async () => {
      const answer = await bed.gql(page, { r: [{ __typename: 'Product', id: productId }] });
      expect(answer.errors).toBeUndefined();
      return answer.data!._entities[0].reviews;
    };
    expect(await read()).toEqual({ totalCount: 0, edges: [] });
    // Written behind the service's back: the cached page does not show it.
    const otherUser = randomUUID();
    const id = reviewIdOf(productId!, otherUser);
    const at = new Date();
    await bed.subgraph.store.reviews.insertOne({
      _id: reviewObjectId(id),
      id,
      productId: productId!,
      userId: otherUser,
      rating: 2,
      title: 'Behind',
      body: '',
      createdAt: at,
      updatedAt: at,
    });
    expect(await read()).toEqual({ totalCount: 0, edges: [] });
    // A review through the API drops the product's cached page and rating.
    const added = await bed.gql(`mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`, {
      input: { productId, userId, rating: 4, title: 'Fresh', body: '' },
    });
    expect(added.errors).toBeUndefined();
    expect(await read()).toEqual({
      totalCount: 2,
      edges: [{ node: { title: 'Fresh' } }, { node: { title: 'Behind' } }],
    });
  });
});

describe('review pages for many products at once', () => {
  const PAGES = `query ($representations: [_Any!]!, $after: String) {
    _entities(representations: $representations) {
      ... on Product { id reviews(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { rating } } } }
    }
  }`;
  type Page = {
    id: string;
    reviews: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { rating: number } }[] };
  };
  const pagesOf = async (ids: string[], after?: string) => {
    const answer = await bed.gql(PAGES, {
      representations: ids.map((id) => ({ __typename: 'Product', id })),
      after,
    });
    expect(answer.errors).toBeUndefined();
    return answer.data!._entities as Page[];
  };

  // $group (what the embedded server gets) and $unionWith sub-pipelines (what a real MongoDB 4.4+ gets), both run here.
  it.each([false, true])(
    "gives each product its own newest reviews, in one command, and pages on with each one's cursor (indexed sub-pipelines: %s)",
    async (indexedSubPipelines) => {
      const capabilities = bed.subgraph.store.capabilities;
      const detected = capabilities.indexedSubPipelines;
      capabilities.indexedSubPipelines = indexedSubPipelines;
      try {
        await pagesPerProduct();
      } finally {
        capabilities.indexedSubPipelines = detected;
      }
    },
  );

  it('finds what the server can do: the embedded server gets the single scan', () => {
    if (!process.env.MONGO_URL)
      expect(bed.subgraph.store.capabilities).toEqual({ indexedSubPipelines: false, transactions: false });
  });

  async function pagesPerProduct() {
    const ids = await productsWithReviews(5);
    bed.commands.length = 0;
    const first = await pagesOf(ids);
    expect(bed.commands.filter((command) => command.commandName === 'aggregate')).toHaveLength(1);
    // Each product's newer review has 4 stars, its older 3.
    expect(first.map((page) => [page.id, page.reviews.edges.map((edge) => edge.node.rating)])).toEqual(
      ids.map((id) => [id, [4]]),
    );
    expect(first.every((page) => page.reviews.pageInfo.hasNextPage)).toBe(true);
    // The cursors of products written at different times differ: one page at a time per cursor.
    const second = await pagesOf([ids[0]!, ids[1]!], first[0]!.reviews.pageInfo.endCursor);
    expect(second[0]!.reviews.edges.map((edge) => edge.node.rating)).toEqual([3]);
    expect(second[0]!.reviews.pageInfo.hasNextPage).toBe(false);
  }
});
