import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { parse, type ExecutionResult } from 'graphql';
import {
  asAdmin,
  bearer,
  errorCodes,
  eventually,
  graphqlRequest,
  mergeParts,
  multipartParts,
  sampleFile,
  startedOncePerFile,
  testServiceContext,
  testToken,
} from '@polystore/testing';
import { subscribeOverWebSocket } from '@polystore/testing/subscriptions';
import { createGateway } from '@polystore/gateway';
import { composeSupergraph } from '@polystore/gateway/compose';
import { putProductImage } from '@polystore/storage-subgraph/seed';
import { startTestStack } from './support/stack.js';

/**
 * `@defer` and `@stream` through the gateway, across subgraphs: a product page
 * whose PostgreSQL fields come first and whose reviews (MongoDB), images (S3)
 * and details come in a later part, over multipart HTTP (as Apollo Client and
 * graphql-tools' HTTP executor ask for it), SSE and graphql-ws, and merged into
 * one answer for a client that takes only JSON. Merged, every answer equals
 * the one the operation gives without the directives.
 */
const stack = startedOncePerFile(startTestStack);

const PAGE = `query Page($id: ID!) {
  product(id: $id) {
    sku
    name
    price { amount currency }
    ... @defer(label: "below-the-fold") {
      details { description category }
      reviews { totalCount edges { node { rating title author { name } } } }
      images { filename contentType size }
    }
  }
}`;
const WITHOUT_DIRECTIVES = PAGE.replace('... @defer(label: "below-the-fold") {', '... on Product {');

let productId: string;
let user: { id: string; token: string; headers: Record<string, string> };

beforeAll(async () => {
  const created = await graphqlRequest(
    stack.gatewayUrl,
    `mutation { createProduct(input: { sku: "DEFER-1", name: "Canoe", price: { amount: 120000, currency: "EUR" }, stock: 4 }) { id } }`,
    {},
    { headers: asAdmin() },
  );
  productId = created.data!.createProduct.id;
  const made = await graphqlRequest(
    stack.gatewayUrl,
    `mutation { createUser(input: { email: "reader@defer.test", name: "Reader" }) { id } }`,
    {},
    { headers: asAdmin() },
  );
  const token = testToken({ sub: made.data!.createUser.id });
  user = { id: made.data!.createUser.id, token, headers: bearer(token) };
  const review = await graphqlRequest(
    stack.gatewayUrl,
    `mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`,
    { input: { productId, rating: 5, title: 'Steady', body: 'Tracks straight.' } },
    { headers: user.headers },
  );
  expect(review.errors).toBeUndefined();
  await putProductImage(stack.storage, productId, {
    filename: 'canoe.png',
    contentType: 'image/png',
    body: sampleFile('image/png', 'canoe'),
  });
});

/** An answer's errors without their locations, which differ between two texts of one operation. */
const located = ({
  errors,
  ...rest
}: {
  errors?: readonly { message: string; path?: readonly (string | number)[]; extensions?: unknown }[];
}) => ({
  ...rest,
  ...(errors ? { errors: errors.map(({ message, path, extensions }) => ({ message, path, extensions })) } : {}),
});

/** The answer without @defer/@stream: what every merged incremental answer must equal. */
const plainAnswer = async (query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) =>
  await graphqlRequest(stack.gatewayUrl, query, variables, { headers });

async function* partsOf(result: unknown): AsyncIterable<ExecutionResult> {
  if (Symbol.asyncIterator in (result as object)) yield* result as AsyncIterable<ExecutionResult>;
  else yield result as ExecutionResult;
}

/** An SSE answer: its content type and the `data:` payloads of its `next` events. */
async function overSse(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
  url = stack.gatewayUrl,
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
  });
  const parts = [...(await response.text()).matchAll(/^event: next\ndata: (.*)$/gm)].map(
    ([, json]) => JSON.parse(json!) as ExecutionResult & { hasNext?: boolean },
  );
  return { contentType: response.headers.get('content-type'), parts };
}

/** The `data:` payloads of an SSE answer from the test stack's gateway. */
const ssePartsOf = async (query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
  (await overSse(query, variables, headers)).parts;

describe('@defer across subgraphs', () => {
  it('sends the PostgreSQL fields first and the MongoDB and S3 fields in a later part, over multipart HTTP', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        ...user.headers,
        'content-type': 'application/json',
        accept: 'multipart/mixed;deferSpec=20220824, application/json',
      },
      body: JSON.stringify({ query: PAGE, variables: { id: productId } }),
    });
    expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed/);
    const parts = multipartParts(await response.text()) as (ExecutionResult & {
      hasNext: boolean;
      incremental?: unknown[];
    })[];
    expect(parts[0]).toEqual({
      data: { product: { sku: 'DEFER-1', name: 'Canoe', price: { amount: 120000, currency: 'EUR' } } },
      hasNext: true,
    });
    expect(parts.at(-1)!.hasNext).toBe(false);
    expect(parts[1]!.incremental).toEqual([
      expect.objectContaining({ label: 'below-the-fold', path: ['product'], data: expect.anything() }),
    ]);
    const merged = mergeParts(parts);
    expect(merged).toEqual(await plainAnswer(WITHOUT_DIRECTIVES, { id: productId }, user.headers));
  });

  it('gives a client library (graphql-tools HTTP executor) the same page, part by part', async () => {
    const execute = buildHTTPExecutor({ endpoint: stack.gatewayUrl, headers: user.headers });
    const result = await execute({ document: parse(PAGE), variables: { id: productId } });
    const seen: ExecutionResult[] = [];
    for await (const part of partsOf(result)) seen.push(structuredClone(part));
    expect(seen.length).toBeGreaterThan(1);
    // The executor merges each part into the answer so far: its last is the whole page.
    const { hasNext: _hasNext, ...last } = seen.at(-1) as ExecutionResult & { hasNext?: boolean };
    expect(last).toEqual(await plainAnswer(WITHOUT_DIRECTIVES, { id: productId }, user.headers));
    expect(seen[0]!.data).toEqual({ product: { sku: 'DEFER-1', name: 'Canoe', price: expect.anything() } });
  });

  it('streams the parts over SSE', async () => {
    const { contentType, parts } = await overSse(PAGE, { id: productId }, user.headers);
    expect(contentType).toMatch(/^text\/event-stream/);
    expect(parts.length).toBe(2);
    expect(mergeParts(parts)).toEqual(await plainAnswer(WITHOUT_DIRECTIVES, { id: productId }, user.headers));
  });

  it('answers a client that takes only JSON with the whole page at once, not 406', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { ...user.headers, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: PAGE, variables: { id: productId } }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(await plainAnswer(WITHOUT_DIRECTIVES, { id: productId }, user.headers));
  });

  it('sends the parts as separate messages over graphql-ws', async () => {
    const subscription = subscribeOverWebSocket(stack.gatewayUrl, PAGE, { id: productId }, { token: user.token });
    try {
      const completed = async () => subscription.received.some((message) => (message as { complete?: true }).complete);
      await eventually(completed, 'the deferred operation completes over graphql-ws');
      const parts = subscription.received.slice(0, -1) as ExecutionResult[];
      expect(parts.length).toBe(2);
      expect(mergeParts(parts)).toEqual(await plainAnswer(WITHOUT_DIRECTIVES, { id: productId }, user.headers));
    } finally {
      await subscription.dispose();
    }
  });
});

describe('what clients write', () => {
  it('defers a named fragment spread (Apollo Client writes them so) without sending @defer to a subgraph', async () => {
    const query = `query ($id: ID!) { product(id: $id) { sku ...Below @defer } }
      fragment Below on Product { details { description } reviews { totalCount } images { filename } }`;
    const parts = await ssePartsOf(query, { id: productId }, user.headers);
    expect(parts.length).toBe(2);
    expect(parts.flatMap((part) => part.errors ?? [])).toEqual([]);
    const plain = query.replace('...Below @defer', '...Below');
    expect(mergeParts(parts)).toEqual(await plainAnswer(plain, { id: productId }, user.headers));
  });

  it('takes @stream and @defer arguments from variables, and an `if` that is false answers in one part', async () => {
    const query = `query ($on: Boolean!, $count: Int!) {
      products(first: 3) { edges @stream(if: $on, initialCount: $count) { node { sku } } }
    }`;
    const streamed = await ssePartsOf(query, { on: true, count: 0 }, user.headers);
    expect(streamed.length).toBeGreaterThan(1);
    expect(streamed.flatMap((part) => part.errors ?? [])).toEqual([]);
    const once = await ssePartsOf(query, { on: false, count: 0 }, user.headers);
    expect(once).toHaveLength(1);
    expect(once[0]!.hasNext).toBeUndefined();
    expect(mergeParts(streamed)).toEqual(mergeParts(once));
  });

  it('answers a mutation whole, @defer in it or not, so the response cache can read what it changed', async () => {
    const mutation = `mutation ($input: RestockInput!) { restock(input: $input) { id ... @defer { stock } } }`;
    const parts = await ssePartsOf(mutation, { input: { productId, quantity: 1 } }, asAdmin());
    expect(parts).toHaveLength(1);
    expect(parts[0]!.data).toEqual({ restock: { id: productId, stock: expect.any(Number) } });
  });
});

describe('with the JavaScript planner for every operation (QUERY_PLANNER=js)', () => {
  it('delivers the same parts, and the page merged from them equals the whole page', async () => {
    const context = testServiceContext({ ...stack.env, QUERY_PLANNER: 'js' });
    try {
      const gateway = await createGateway({ ...context, supergraph: composeSupergraph(stack.subgraphUrls) });
      const url = await gateway.listen(0);
      const { parts } = await overSse(PAGE, { id: productId }, user.headers, url);
      expect(parts.length).toBe(2);
      expect(mergeParts(parts)).toEqual(await plainAnswer(WITHOUT_DIRECTIVES, { id: productId }, user.headers));
    } finally {
      await context.teardown.close();
    }
  });
});

describe('@stream', () => {
  it('sends the first items of a list, then the rest, equal to the list in one answer', async () => {
    const streamed = `{ products(first: 5) { edges @stream(initialCount: 0) { node { sku details { category } images { id } } } } }`;
    const parts = await ssePartsOf(streamed, {}, user.headers);
    expect(parts[0]!.data).toEqual({ products: { edges: [] } });
    expect(mergeParts(parts)).toEqual(
      await plainAnswer(streamed.replace(' @stream(initialCount: 0)', ''), {}, user.headers),
    );
  });
});

describe('the same identity and ownership rules in deferred parts', () => {
  const ORDERS = `query ($id: ID!) { user(id: $id) { name ... @defer { orders { totalCount } orderSummary { orderCount } } } }`;

  it("refuses a stranger another user's orders in a deferred part as it does in one answer", async () => {
    const stranger = bearer(testToken({ sub: '00000000-0000-4000-8000-0000000000aa' }));
    const merged = await graphqlRequest(stack.gatewayUrl, ORDERS, { id: user.id }, { headers: stranger });
    const plain = await plainAnswer(ORDERS.replace('... @defer {', '... on User {'), { id: user.id }, stranger);
    expect(errorCodes(plain).length).toBeGreaterThan(0);
    expect(located(merged)).toEqual(located(plain));
    // The owner reads them.
    const own = await graphqlRequest(stack.gatewayUrl, ORDERS, { id: user.id }, { headers: user.headers });
    expect(own.errors).toBeUndefined();
    expect(own.data!.user.orders.totalCount).toBe(0);
  });

  it('refuses an anonymous caller a deferred @authenticated field, with the code it gets without @defer', async () => {
    const query = `query ($id: ID!) { user(id: $id) { name ... @defer { email } } }`;
    const merged = await graphqlRequest(stack.gatewayUrl, query, { id: user.id });
    const plain = await plainAnswer(query.replace('... @defer {', '... on User {'), { id: user.id });
    expect(errorCodes(plain)).toEqual(['UNAUTHENTICATED']);
    expect(located(merged)).toEqual(located(plain));
  });
});
