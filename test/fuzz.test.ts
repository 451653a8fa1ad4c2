import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildSchema, getIntrospectionQuery } from 'graphql';
import { asAdmin, bearer, eventually, graphqlRequest, testToken, upsertTestCategory } from '@polystore/testing';
import {
  asPost,
  brokenPromise,
  malformedRequest,
  mutatedOperation,
  sendFuzzRequest,
  validOperation,
  type FuzzIds,
  type FuzzRequest,
} from '@polystore/testing/fuzz';
import { startTestStack, type TestStack } from './support/stack.js';
import { storeChecksums, type StoreChecksums } from '@polystore/testing/stores';

/**
 * The front door under generated traffic: operations built from the public
 * schema (valid, damaged, and requests no client sends), anonymous and with a
 * user's token. Every answer is a 4xx or a GraphQL error with a code, never a
 * 5xx, a hang or an unmasked message; anonymous traffic changes nothing stored.
 * Fixed seeds and counts, so a failure replays exactly.
 */
const schema = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
const SEED = 20261205;

let stack: TestStack;
let ids: FuzzIds;
let userToken: string;

const admin = (query: string, variables?: Record<string, unknown>) =>
  graphqlRequest(stack.gatewayUrl, query, variables, { headers: asAdmin() });

async function seed(): Promise<FuzzIds> {
  const user = await admin(`mutation { createUser(input: { email: "fuzz@example.com", name: "Fuzz" }) { id } }`);
  const userId = user.data!.createUser.id as string;
  const product = await admin(
    `mutation { createProduct(input: { sku: "FUZZ-1", name: "Kettle", price: { amount: 1999, currency: "USD" }, stock: 40 }) { id } }`,
  );
  const productId = product.data!.createProduct.id as string;
  await upsertTestCategory(stack.gatewayUrl, 'kitchen');
  await admin(
    `mutation ($id: ID!) { upsertProductDetails(input: { productId: $id, description: "Steel", category: "kitchen" }) { id } }`,
    { id: productId },
  );
  userToken = testToken({ sub: userId });
  const order = await graphqlRequest(
    stack.gatewayUrl,
    `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
    { input: { userId, items: [{ productId, quantity: 1 }] } },
    { headers: bearer(userToken) },
  );
  const review = await graphqlRequest(
    stack.gatewayUrl,
    `mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`,
    { input: { productId, rating: 4, title: 'Good', body: 'Boils fast' } },
    { headers: bearer(userToken) },
  );
  return {
    ids: [userId, productId, order.data!.placeOrder.id, review.data!.addReview.id],
    strings: ['kitchen', 'FUZZ-1', 'USD', 'fuzz@example.com'],
  };
}

const checksums = () =>
  storeChecksums({
    postgresUrl: stack.env.DATABASE_OWNER_URL ?? stack.env.DATABASE_URL!,
    mongo: { url: stack.env.MONGO_URL!, database: stack.env.MONGO_DATABASE! },
    s3: { client: stack.s3.client, bucket: stack.s3.bucket },
  });

/** Checksums once background work (events, search copies) has settled: two reads in a row agree. */
async function settledChecksums(): Promise<StoreChecksums> {
  let previous = await checksums();
  let current = previous;
  await eventually(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      [previous, current] = [current, await checksums()];
      return JSON.stringify(current) === JSON.stringify(previous);
    },
    'the stores to settle',
    20_000,
  );
  return current;
}

beforeAll(async () => {
  stack = await startTestStack();
  ids = await seed();
});

afterAll(async () => {
  await stack?.dispose();
});

/**
 * Runs `runs` requests from `requests`, each sent with `headers`; fails on the
 * first broken promise. Returns how many were answered without any error, so a
 * test can tell that its operations reached the subgraphs.
 */
async function fuzz(requests: fc.Arbitrary<FuzzRequest>, runs: number, headers: Record<string, string> = {}) {
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(requests, async (request) => {
      const answer = await sendFuzzRequest(stack.gatewayUrl, {
        ...request,
        headers: { ...request.headers, ...headers },
      });
      const broken = brokenPromise(answer);
      if (broken) throw new Error(`${broken}\nrequest: ${JSON.stringify(request).slice(0, 2000)}`);
      if (answer.status === 200 && !answer.text.includes('"errors"')) answered++;
    }),
    { seed: SEED, numRuns: runs, endOnFailure: true },
  );
  return answered;
}

describe('the front door under generated requests', () => {
  it("answers the IDE's and codegen's introspection query anonymously, without an error", async () => {
    const answer = await graphqlRequest(stack.gatewayUrl, getIntrospectionQuery({ inputValueDeprecation: true }));
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.__schema.queryType.name).toBe('Query');
  });

  it('anonymous: every answer is coded, and nothing stored changes', async () => {
    const before = await settledChecksums();
    // Many generated operations are answered: the generator reaches the subgraphs, not only the refusals
    // (about a fifth: without a token mutations are refused, and so are plans over the anonymous budgets).
    expect(await fuzz(validOperation(schema, ids).map(asPost), 250)).toBeGreaterThan(35);
    await fuzz(mutatedOperation(schema, ids).map(asPost), 150);
    await fuzz(malformedRequest(validOperation(schema, ids)), 150);
    expect(await settledChecksums()).toEqual(before);
  });

  it("with a user's token: every answer is coded", async () => {
    const headers = bearer(userToken);
    expect(await fuzz(validOperation(schema, ids).map(asPost), 200, headers)).toBeGreaterThan(40);
    await fuzz(mutatedOperation(schema, ids).map(asPost), 80, headers);
    await fuzz(malformedRequest(validOperation(schema, ids)), 80, headers);
  });
});
