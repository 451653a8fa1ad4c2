import { readFileSync } from 'node:fs';
import { buildASTSchema, parse } from 'graphql';
import { estimateOperation } from '../src/cost-estimate.js';

// The served supergraph, with its @cost and @listSize as composed from the subgraph schemas.
const schema = buildASTSchema(parse(readFileSync(new URL('../supergraph.graphql', import.meta.url), 'utf8')), {
  assumeValidSDL: true,
});
const estimate = (query: string, variables?: Record<string, unknown>, defaultListSize = 10) =>
  estimateOperation(schema, parse(query), undefined, variables, { defaultListSize })?.cost;

describe('estimated cost of an operation', () => {
  it('counts each object once per item of every list above it, `first` sizing the edges of a connection', () => {
    // The connection 1, then 5 edges and 5 products; scalars are free.
    expect(estimate('{ products(first: 5) { edges { node { id name } } } }')).toBe(11);
    // `first` omitted: its default (20).
    expect(estimate('{ products { edges { node { id } } } }')).toBe(41);
    expect(estimate('query ($n: Int) { products(first: $n) { edges { node { id } } } }', { n: 7 })).toBe(15);
  });

  it('adds @cost weights and sizes a list without @listSize (non-null too) by the default list size', () => {
    // rating: @cost(weight: 5) plus its object, for each of 5 products.
    expect(estimate('{ products(first: 5) { edges { node { rating { average } } } } }')).toBe(11 + 5 * 6);
    // images: [Asset!]!, 10 assumed per product, or 3.
    expect(estimate('{ products(first: 2) { edges { node { images { url } } } } }')).toBe(5 + 20);
    expect(estimate('{ products(first: 2) { edges { node { images { url } } } } }', {}, 3)).toBe(5 + 6);
  });

  it('multiplies nested lists across subgraphs: reviews of each product, the author of each review', () => {
    const page =
      '{ products(first: 50) { edges { node { reviews(first: 10) { edges { node { author { name } } } } } } } }';
    // 1 + 50 edges + 50 products + 50 review connections + 500 edges + 500 reviews + 500 authors.
    expect(estimate(page)).toBe(1651);
  });

  it('counts a fragment where it is spread, with the lists above the spread, and every alias', () => {
    expect(
      estimate('{ products(first: 5) { ...Page } } fragment Page on ProductConnection { edges { node { id } } }'),
    ).toBe(11);
    expect(
      estimate('{ products(first: 5) { edges { node { ...P } } } } fragment P on Product { rating { count } }'),
    ).toBe(11 + 30);
    expect(
      estimate('{ a: products(first: 5) { edges { node { id } } } b: products(first: 5) { edges { node { id } } } }'),
    ).toBe(22);
  });

  it('estimates the named operation of several', () => {
    const document = parse(
      'query A { products(first: 1) { totalCount } } query B { products(first: 9) { edges { node { id } } } }',
    );
    expect(estimateOperation(schema, document, 'B', {}, { defaultListSize: 10 })?.cost).toBe(19);
  });

  it('leaves introspection free, and variables that do not fit to execution', () => {
    expect(estimate('{ __typename __schema { types { name fields { name } } } }')).toBe(0);
    expect(estimate('query ($n: Int) { products(first: $n) { totalCount } }', { n: 'many' })).toBeUndefined();
  });

  it('adds 10 for a mutation', () => {
    expect(estimate('mutation { deleteCategory(input: { slug: "x" }) }')).toBe(10);
  });
});

describe('subgraph requests and fields of an operation', () => {
  const estimate = (query: string) => estimateOperation(schema, parse(query), undefined, {}, { defaultListSize: 10 });

  it('counts one request per subgraph and step: a field its parent subgraph cannot resolve is an entity fetch', () => {
    expect(estimate('{ products(first: 1) { totalCount } }')).toMatchObject({ fetches: 1, fields: 2 });
    // Products (SQL); their reviews (MongoDB) and images (S3), one step on; the reviews' authors (SQL), one more.
    const page =
      '{ products(first: 2) { edges { node { name images { url } reviews(first: 2) { edges { node { title } } } } } } }';
    expect(estimate(page)).toMatchObject({ fetches: 3, fields: 10 });
    expect(estimate(page.replace('title', 'title author { name }'))).toMatchObject({ fetches: 4, fields: 12 });
  });

  it('keeps a field in the request of a subgraph that resolves it, keys (id) and shared types included', () => {
    // A review's author is a User stub in MongoDB, whose reviews MongoDB resolves too: still one request there.
    expect(
      estimate(
        '{ products(first: 1) { edges { node { id reviews(first: 1) { edges { node { id author { id reviews { totalCount } } } } } } } } }',
      ),
    ).toMatchObject({ fetches: 2 });
  });

  it('batches aliases and sibling branches of one step, and counts their fields', () => {
    const one = 'products(first: 1) { edges { node { reviews(first: 1) { edges { node { author { name } } } } } } }';
    expect(estimate(`{ ${one} }`)).toMatchObject({ fetches: 3, fields: 8 });
    expect(estimate(`{ a: ${one} b: ${one} c: ${one} }`)).toMatchObject({ fetches: 3, fields: 24 });
  });

  it('counts fragments where they are spread, through a union to the subgraph of its member', () => {
    expect(
      estimate('{ asset(id: "a") { owner { ... on Order { status } ...U } } } fragment U on User { name email }'),
    ).toMatchObject({ fetches: 2, fields: 5 });
  });

  it('counts each root field of a mutation as a request of its own (they run in order)', () => {
    const document = 'mutation { a: deleteCategory(input: { slug: "x" }) b: deleteCategory(input: { slug: "y" }) }';
    expect(estimate(document)).toMatchObject({ fetches: 2, fields: 2 });
  });

  it('counts each field of another subgraph in a deferred part as a request of its own, unless its `if` is false', () => {
    const page = (defer: string) =>
      `query ($on: Boolean) { product(id: "p") { name ... ${defer} { stock details { description } images { url } rating { average } } } }`;
    // Whole: the product (SQL), then details and rating (MongoDB, one request) and images (S3).
    expect(estimate(page('on Product'))).toMatchObject({ fetches: 3 });
    // Deferred: stock comes with the product; details, images and rating each a request.
    expect(estimate(page('@defer'))).toMatchObject({ fetches: 4 });
    expect(
      estimateOperation(schema, parse(page('@defer(if: $on)')), undefined, { on: false }, { defaultListSize: 10 }),
    ).toMatchObject({ fetches: 3 });
    // Two deferred fragments never share a request.
    expect(
      estimate('{ product(id: "p") { ... @defer { details { description } } ... @defer { details { tags } } } }'),
    ).toMatchObject({ fetches: 3 });
  });

  it('leaves introspection and __typename out', () => {
    expect(estimate('{ __typename __schema { types { name } } }')).toMatchObject({ fetches: 0, fields: 0 });
  });
});

describe('an operation against a schema without join directives', () => {
  it('counts one request per root field and no entity fetch, and still counts fields', () => {
    const plain = buildASTSchema(parse('type Query { a: A b: Int } type A { x: Int y: A }'));
    const estimate = estimateOperation(plain, parse('{ a { x y { x } } b }'), undefined, {}, { defaultListSize: 10 });
    expect(estimate).toEqual({ cost: 2, fields: 5, fetches: 1 });
  });
});
