import type { GraphQLError } from 'graphql';
import { createReferenceChecker } from '@polystore/common';
import { errorCodes, eventually, upsertTestCategory, type TestAttribute } from '@polystore/testing';
import { startMongoTestBed, type MongoTestBed } from './support/test-bed.js';
import { recheckWrittenDetails } from '../src/category-rules.js';
import { reviewIdOf, reviewObjectId } from '../src/review-id.js';
import { removeIfOrphaned } from '../src/review-references.js';

/** Stored details always satisfy their category; reviews never outlive their product or author. */
let bed: MongoTestBed;
beforeAll(async () => {
  bed = await startMongoTestBed();
});
afterAll(() => bed?.dispose());

const UPSERT_CATEGORY = `mutation ($input: UpsertCategoryInput!) { upsertCategory(input: $input) { slug } }`;
const DELETE_CATEGORY = `mutation ($slug: String!) { deleteCategory(input: { slug: $slug }) }`;
const UPSERT_DETAILS = `mutation ($input: UpsertProductDetailsInput!) { upsertProductDetails(input: $input) { id } }`;

const BIKE: TestAttribute[] = [
  { name: 'frameCm', type: 'INT', required: true },
  { name: 'colour', type: 'STRING' },
];

/** A category and `count` products with details in it; returns their ids. */
async function categoryWithProducts(slug: string, attributes: Record<string, unknown>[]): Promise<string[]> {
  await upsertTestCategory(bed.url, slug, BIKE);
  const { productIds } = await bed.seed(attributes.length);
  for (const [i, productId] of productIds.entries()) {
    const written = await bed.gql(UPSERT_DETAILS, {
      input: { productId, description: 'A bike', category: slug, attributes: attributes[i] },
    });
    expect(written.errors).toBeUndefined();
  }
  return productIds;
}

const definitionOf = async (slug: string) =>
  (await bed.subgraph.store.categories.findOne({ slug }, { projection: { _id: 0, attributes: 1 } }))?.attributes;

describe('deleteCategory', () => {
  it('is refused with CONFLICT while details use the category, and deletes it once they do not', async () => {
    const [productId] = await categoryWithProducts('bikes-used', [{ frameCm: 54 }]);
    // Written on a product's existing search document: the details get their own creation time.
    expect((await bed.subgraph.store.productDetails.findOne({ productId }))?.createdAt).toBeInstanceOf(Date);
    const refused = await bed.gql(DELETE_CATEGORY, { slug: 'bikes-used' });
    expect(errorCodes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0]!.extensions).toMatchObject({ products: 1 });
    expect(await bed.subgraph.store.categories.countDocuments({ slug: 'bikes-used' })).toBe(1);

    await upsertTestCategory(bed.url, 'bikes-other', BIKE);
    await bed.gql(UPSERT_DETAILS, {
      input: { productId, description: 'Moved', category: 'bikes-other', attributes: { frameCm: 54 } },
    });
    const deleted = await bed.gql(DELETE_CATEGORY, { slug: 'bikes-used' });
    expect(deleted.data).toEqual({ deleteCategory: 'bikes-used' });
    const read = await bed.gql(`{ category(slug: "bikes-used") { slug } }`);
    expect(read.data!.category).toBeNull();
    expect(errorCodes(await bed.gql(DELETE_CATEGORY, { slug: 'bikes-used' }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await bed.gql(DELETE_CATEGORY, { slug: '$bad' }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('upsertCategory re-checks the details of the category', () => {
  it('refuses a change stored details would violate, naming the attribute and how many products', async () => {
    await categoryWithProducts('bikes', [{ frameCm: 54 }, { frameCm: 56, colour: 'red' }, { frameCm: 58 }]);
    const before = await definitionOf('bikes');
    const cases: [TestAttribute[], string, number][] = [
      // A new required attribute none of them has.
      [[...BIKE, { name: 'gears', type: 'INT', required: true }], 'gears', 3],
      // colour becomes an enum without "red".
      [[BIKE[0]!, { name: 'colour', type: 'ENUM', values: ['blue'] }], 'colour', 1],
      // frameCm removed: every product still carries it.
      [[BIKE[1]!], 'frameCm', 3],
      // frameCm becomes a string.
      [[{ ...BIKE[0]!, type: 'STRING' }, BIKE[1]!], 'frameCm', 3],
    ];
    for (const [attributes, attribute, products] of cases) {
      const answer = await bed.gql(UPSERT_CATEGORY, { input: { slug: 'bikes', name: 'Bikes', attributes } });
      expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors![0]!.extensions).toMatchObject({ attribute, products });
      expect(answer.errors![0]!.message).toContain(`${products} product`);
      expect(await definitionOf('bikes')).toEqual(before);
    }
    // A change they all satisfy goes through, and the cache serves it.
    const widened = [...BIKE, { name: 'gears', type: 'INT' as const }];
    expect(
      (await bed.gql(UPSERT_CATEGORY, { input: { slug: 'bikes', name: 'Bikes', attributes: widened } })).errors,
    ).toBeUndefined();
    const read = await bed.gql(`{ category(slug: "bikes") { attributes { name } } }`);
    expect(read.data!.category.attributes.map((a: { name: string }) => a.name)).toEqual(['frameCm', 'colour', 'gears']);
  });

  it('a details write that raced a category change puts the details back and fails, so nothing stored violates', async () => {
    const [productId] = (await categoryWithProducts('bikes-race', [{ frameCm: 50 }])) as [string];
    const store = bed.subgraph.store;
    const before = (await store.productDetails.findOne({ productId }))!;
    // The write checked the old definition; the category changed before its re-check.
    const updatedAt = new Date();
    const attributes = { frameCm: 52 };
    await store.productDetails.updateOne({ productId }, { $set: { attributes, updatedAt } });
    await store.categories.updateOne(
      { slug: 'bikes-race' },
      { $set: { attributes: [{ name: 'frameCm', type: 'STRING', required: true, values: [] }] } },
    );
    const error = await recheckWrittenDetails(
      store,
      { productId, category: 'bikes-race', attributes, updatedAt },
      before,
    )
      .then(() => undefined)
      .catch((err: GraphQLError) => err);
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', attribute: 'frameCm' });
    expect(await store.productDetails.findOne({ productId })).toMatchObject({
      attributes: { frameCm: 50 },
      updatedAt: before.updatedAt,
    });
  });
});

describe('a review and the deletion of its author', () => {
  it('a review inserted after the UserDeleted handler ran is removed by the check after the insert', async () => {
    const { productIds } = await bed.seed(1);
    const productId = productIds[0]!;
    const userId = await bed.createUser();
    // The user reviews, then is deleted: the handler removes the review.
    const added = await bed.gql(`mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`, {
      input: { productId, userId, rating: 4, title: 'ok', body: '' },
    });
    expect(added.errors).toBeUndefined();
    await bed.sql.gql(`mutation ($id: ID!) { deleteUser(input: { id: $id }) { id } }`, { id: userId });
    await eventually(
      async () => (await bed.subgraph.store.reviews.countDocuments({ userId })) === 0,
      'the UserDeleted handler',
    );
    // The racing insert: its reference check answered before the deletion, it lands after the handler.
    const id = reviewIdOf(productId, userId);
    const review = {
      _id: reviewObjectId(id),
      id,
      productId,
      userId,
      rating: 5,
      title: 't',
      body: '',
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    await bed.subgraph.store.reviews.insertOne(review);
    const references = createReferenceChecker({
      subgraphUrls: { sql: bed.sql.url, mongo: undefined, storage: undefined },
    });
    expect(await removeIfOrphaned(bed.subgraph.store, references, review)).toEqual({ type: 'User', id: userId });
    expect(await bed.subgraph.store.reviews.countDocuments({ userId })).toBe(0);
    // And through the API: a review for a deleted user is NOT_FOUND and leaves nothing.
    const late = await bed.gql(`mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`, {
      input: { productId, userId, rating: 5, title: 'late', body: '' },
    });
    expect(errorCodes(late)).toEqual(['NOT_FOUND']);
    expect(await bed.subgraph.store.reviews.countDocuments({ userId })).toBe(0);
  });
});
