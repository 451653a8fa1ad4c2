import { randomUUID } from 'node:crypto';
import { errorCodes } from '@polystore/testing';
import { startMongoTestBed, type MongoTestBed } from './support/test-bed.js';

let bed: MongoTestBed;
beforeAll(async () => {
  bed = await startMongoTestBed();
  const laptops = await bed.gql(UPSERT_CATEGORY, { input: LAPTOPS });
  expect(laptops.errors).toBeUndefined();
  await bed.gql(UPSERT_CATEGORY, { input: SHIRTS });
});
afterAll(() => bed?.dispose());

const LAPTOPS = {
  slug: 'laptops',
  name: 'Laptops',
  attributes: [
    { name: 'cpu', type: 'STRING', required: true },
    { name: 'ramGb', type: 'INT', required: true },
    { name: 'weightKg', type: 'FLOAT' },
  ],
};
const SHIRTS = {
  slug: 'shirts',
  name: 'Shirts',
  attributes: [
    { name: 'sizes', type: 'ENUM_LIST', required: true, values: ['S', 'M', 'L'] },
    { name: 'colour', type: 'STRING' },
  ],
};
const UPSERT_CATEGORY = `mutation ($input: UpsertCategoryInput!) {
  upsertCategory(input: $input) { slug name attributes { name type required values } }
}`;
const UPSERT = `mutation ($input: UpsertProductDetailsInput!) {
  upsertProductDetails(input: $input) { id details { description category tags attributes } }
}`;
const DETAILS = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id details { category tags attributes } } }
}`;
const ADD = `mutation ($input: AddReviewInput!) { addReview(input: $input) { id rating title author { id } product { id } } }`;
const PRODUCT_REVIEWS = `query ($id: ID!, $first: Int, $after: String) {
  _entities(representations: [{ __typename: "Product", id: $id }]) {
    ... on Product {
      rating { average count histogram }
      reviews(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id rating title } } }
    }
  }
}`;

describe('categories', () => {
  it('lists categories with their attribute definitions, and reads one by slug', async () => {
    const all = await bed.gql(
      `{ categories { slug } category(slug: "laptops") { name attributes { name type required values } } }`,
    );
    expect(all.data!.categories).toEqual([{ slug: 'laptops' }, { slug: 'shirts' }]);
    expect(all.data!.category).toEqual({
      name: 'Laptops',
      attributes: [
        { name: 'cpu', type: 'STRING', required: true, values: [] },
        { name: 'ramGb', type: 'INT', required: true, values: [] },
        { name: 'weightKg', type: 'FLOAT', required: false, values: [] },
      ],
    });
  });

  it('rejects malformed definitions', async () => {
    for (const attributes of [
      [{ name: '$where', type: 'STRING' }],
      [{ name: 'a.b', type: 'STRING' }],
      [{ name: 'x', type: 'ENUM' }],
      [{ name: 'x', type: 'INT', values: ['1'] }],
      [
        { name: 'x', type: 'INT' },
        { name: 'x', type: 'FLOAT' },
      ],
    ]) {
      const answer = await bed.gql(UPSERT_CATEGORY, { input: { slug: 'broken', name: 'Broken', attributes } });
      expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
    }
    expect(await bed.subgraph.store.categories.countDocuments({ slug: 'broken' })).toBe(0);
  });
});

describe('product details', () => {
  it('writes details checked against the category and resolves them for a product entity', async () => {
    const { productIds } = await bed.seed(1);
    const productId = productIds[0]!;
    const attributes = { cpu: 'M3', ramGb: 16, weightKg: 1.24 };
    const created = await bed.gql(UPSERT, {
      input: { productId, description: 'A laptop', category: 'Laptops', tags: ['Light', 'light', 'work'], attributes },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data!.upsertProductDetails).toEqual({
      id: productId,
      details: { description: 'A laptop', category: 'laptops', tags: ['light', 'work'], attributes },
    });
    const other = randomUUID();
    const entities = await bed.gql(DETAILS, {
      representations: [
        { __typename: 'Product', id: productId },
        { __typename: 'Product', id: other },
      ],
    });
    expect(entities.data!._entities).toEqual([
      { id: productId, details: { category: 'laptops', tags: ['light', 'work'], attributes } },
      { id: other, details: null },
    ]);
    // Search's copy of the owner's fields.
    const stored = await bed.subgraph.store.productDetails.findOne({ productId });
    expect(stored).toMatchObject({ name: 'Product 0', sku: expect.stringMatching(/^SKU-/) });
  });

  it('replaces details on a second upsert, keeping one document per product, past the cache', async () => {
    const { productIds } = await bed.seed(1);
    const productId = productIds[0]!;
    const input = { productId, description: 'v1', category: 'shirts', attributes: { sizes: ['S'] } };
    await bed.gql(UPSERT, { input });
    await bed.gql(DETAILS, { representations: [{ __typename: 'Product', id: productId }] });
    await bed.gql(UPSERT, { input: { ...input, description: 'v2', attributes: { sizes: ['M', 'L'] } } });
    const read = await bed.gql(`query ($id: ID!) { productDetails(productId: $id) { description attributes } }`, {
      id: productId,
    });
    expect(read.data!.productDetails).toEqual({ description: 'v2', attributes: { sizes: ['M', 'L'] } });
    expect(await bed.subgraph.store.productDetails.countDocuments({ productId })).toBe(1);
  });

  it('names the attribute at fault, rejects unknown products and categories, and writes nothing', async () => {
    const { productIds } = await bed.seed(1);
    const productId = productIds[0]!;
    const good = { productId, description: 'kept', category: 'laptops', attributes: { cpu: 'X', ramGb: 8 } };
    expect((await bed.gql(UPSERT, { input: good })).errors).toBeUndefined();
    const bad: [Record<string, unknown>, string | undefined][] = [
      [{ ...good, productId: 'not-a-uuid' }, undefined],
      [{ ...good, category: 'Not A Slug!' }, undefined],
      [{ ...good, category: 'boats' }, undefined],
      [{ ...good, attributes: { cpu: 'X' } }, 'ramGb'],
      [{ ...good, attributes: { cpu: 'X', ramGb: '16' } }, 'ramGb'],
      [{ ...good, attributes: { cpu: 'X', ramGb: 16.5 } }, 'ramGb'],
      [{ ...good, attributes: { cpu: 'X', ramGb: 8, gpu: 'Y' } }, 'gpu'],
      [{ ...good, category: 'shirts', attributes: { sizes: ['XXL'] } }, 'sizes'],
      [{ ...good, attributes: ['a', 'list'] }, undefined],
      [{ ...good, attributes: { $where: 'sleep(1000)' } }, undefined],
      [{ ...good, attributes: { 'a.b': 1 } }, undefined],
      [{ ...good, attributes: { cpu: { $gt: '' }, ramGb: 8 } }, undefined],
      [{ ...good, attributes: { a: { b: { c: { d: { e: { f: 1 } } } } } } }, undefined],
      [{ ...good, attributes: { cpu: 'x'.repeat(20_000), ramGb: 8 } }, undefined],
      [{ ...good, tags: ['x'.repeat(65)] }, undefined],
      [{ ...good, description: 'x'.repeat(10_001) }, undefined],
    ];
    for (const [input, attribute] of bad) {
      const answer = await bed.gql(UPSERT, { input });
      expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
      if (attribute) expect(answer.errors![0]!.extensions!.attribute).toBe(attribute);
    }
    const missing = await bed.gql(UPSERT, { input: { ...good, productId: randomUUID() } });
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
    const stored = await bed.subgraph.store.productDetails
      .find({}, { projection: { _id: 0, productId: 1, description: 1 } })
      .toArray();
    expect(stored.filter((document) => document.productId === productId)).toEqual([{ productId, description: 'kept' }]);
    expect(stored.some((document) => document.productId === missing.errors![0]!.extensions!.id)).toBe(false);
  });
});

describe('reviews', () => {
  it('adds a review for a product and user created a moment ago; a second one is CONFLICT', async () => {
    const { userId, productIds } = await bed.seed(1);
    const input = { productId: productIds[0], userId, rating: 4, title: 'Good', body: 'Works.' };
    const added = await bed.gql(ADD, { input });
    expect(added.errors).toBeUndefined();
    expect(added.data!.addReview).toMatchObject({ rating: 4, author: { id: userId }, product: { id: productIds[0] } });
    expect(errorCodes(await bed.gql(ADD, { input: { ...input, rating: 2 } }))).toEqual(['CONFLICT']);
    const read = await bed.gql(`query ($id: ID!) { review(id: $id) { rating title body } }`, {
      id: added.data!.addReview.id,
    });
    expect(read.data!.review).toEqual({ rating: 4, title: 'Good', body: 'Works.' });
  });

  it('keeps exactly one review when one user adds 20 at once for one product', async () => {
    const { userId, productIds } = await bed.seed(1);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        bed.gql(ADD, { input: { productId: productIds[0], userId, rating: (i % 5) + 1, title: `t${i}`, body: '' } }),
      ),
    );
    expect(answers.filter((answer) => !answer.errors)).toHaveLength(1);
    expect(answers.flatMap(errorCodes).sort()).toEqual(Array(19).fill('CONFLICT'));
    expect(await bed.subgraph.store.reviews.countDocuments({ productId: productIds[0], userId })).toBe(1);
  });

  it('rejects references to products or users that do not exist, and malformed input, writing nothing', async () => {
    const { userId, productIds } = await bed.seed(1);
    const good = { productId: productIds[0], userId, rating: 5, title: 'ok', body: 'ok' };
    expect(errorCodes(await bed.gql(ADD, { input: { ...good, productId: randomUUID() } }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await bed.gql(ADD, { input: { ...good, userId: randomUUID() } }))).toEqual(['NOT_FOUND']);
    for (const input of [
      { ...good, productId: 'p1' },
      { ...good, userId: '{"$gt": ""}' },
      { ...good, rating: 0 },
      { ...good, rating: 6 },
      { ...good, title: '' },
      { ...good, title: 'x'.repeat(201) },
      { ...good, body: 'x'.repeat(10_001) },
    ]) {
      expect(errorCodes(await bed.gql(ADD, { input }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(await bed.subgraph.store.reviews.countDocuments({ productId: productIds[0] })).toBe(0);
  });

  it('pages reviews newest first with stable cursors, and keeps the cached rating in step with every change', async () => {
    const { productIds } = await bed.seed(1);
    const productId = productIds[0]!;
    const ratings = [5, 4, 4, 2, 1];
    const ids: string[] = [];
    for (const rating of ratings) {
      const userId = await bed.createUser();
      const added = await bed.gql(ADD, { input: { productId, userId, rating, title: `r${rating}`, body: '' } });
      ids.push(added.data!.addReview.id);
      // Read between writes so the rating is cached each time.
      await bed.gql(PRODUCT_REVIEWS, { id: productId, first: 1 });
    }
    const first = (await bed.gql(PRODUCT_REVIEWS, { id: productId, first: 2 })).data!._entities[0];
    expect(first.rating).toEqual({ average: 3.2, count: 5, histogram: [1, 1, 0, 2, 1] });
    expect(first.reviews.totalCount).toBe(5);
    expect(first.reviews.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([ids[4], ids[3]]);
    // Delete the review on the page boundary: the cursor still points at the right place.
    await bed.gql(`mutation ($id: ID!) { deleteReview(input: { id: $id }) }`, { id: ids[3] });
    const second = (
      await bed.gql(PRODUCT_REVIEWS, { id: productId, first: 10, after: first.reviews.pageInfo.endCursor })
    ).data!._entities[0];
    expect(second.reviews.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([
      ids[2],
      ids[1],
      ids[0],
    ]);
    expect(second.reviews.pageInfo.hasNextPage).toBe(false);
    expect(second.rating).toEqual({ average: 3.5, count: 4, histogram: [1, 0, 0, 2, 1] });

    const updated = await bed.gql(`mutation ($id: ID!) { updateReview(input: { id: $id, rating: 1 }) { rating } }`, {
      id: ids[0],
    });
    expect(updated.data!.updateReview).toEqual({ rating: 1 });
    const after = (await bed.gql(PRODUCT_REVIEWS, { id: productId, first: 1 })).data!._entities[0];
    expect(after.rating).toEqual({ average: 2.5, count: 4, histogram: [2, 0, 0, 2, 0] });
  });

  it("lists a user's reviews across products", async () => {
    const { userId, productIds } = await bed.seed(3);
    for (const productId of productIds) {
      await bed.gql(ADD, { input: { productId, userId, rating: 3, title: 't', body: '' } });
    }
    const page = await bed.gql(
      `query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { reviews(first: 2) { totalCount edges { node { product { id } } } } } } }`,
      { id: userId },
    );
    const reviews = page.data!._entities[0].reviews;
    expect(reviews.totalCount).toBe(3);
    expect(reviews.edges.map((edge: { node: { product: { id: string } } }) => edge.node.product.id)).toEqual([
      productIds[2],
      productIds[1],
    ]);
  });

  it('rejects a garbage cursor, first beyond the maximum and malformed ids', async () => {
    const id = randomUUID();
    for (const variables of [
      { id, first: 101 },
      { id, first: 0 },
      { id, first: 2, after: 'garbage' },
      { id, first: 2, after: Buffer.from('[1, {"$gt": ""}]').toString('base64url') },
    ]) {
      expect(errorCodes(await bed.gql(PRODUCT_REVIEWS, variables))).toEqual(['BAD_USER_INPUT']);
    }
    expect(errorCodes(await bed.gql(`{ review(id: "nope") { id } }`))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await bed.gql(`mutation { deleteReview(input: { id: "${id}" }) }`))).toEqual(['NOT_FOUND']);
  });

  it('reports ready when MongoDB, Redis and its consumer group answer', async () => {
    const response = await fetch(bed.url.replace('/graphql', '/ready'));
    expect(await response.json()).toEqual({ status: 'ready', checks: { mongodb: 'ok', redis: 'ok', events: 'ok' } });
  });
});
