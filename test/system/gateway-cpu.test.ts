/**
 * No anonymous request may buy more than a bounded amount of the gateway's CPU.
 * The gateway runs in a process of its own; each hostile shape (every one under
 * the body, token, depth, alias and directive limits) is sent several times with
 * a fresh operation name, so no parse, validation or plan cache helps, and the
 * process's CPU as the OS counts it (/proc utime + stime) is divided by the
 * requests sent (after the gateway has served every shape a few times). Before the selection limits one request of 2,900 copies of a
 * field cost about a second (graphql-js's OverlappingFieldsCanBeMerged compares
 * every pair). CPU time, not wall time: the machine may be busy with others.
 *
 * The stack holds the demo catalog (`npm run seed`), so answered fan-outs (product
 * pages from the three stores) cost what real answers cost: over the anonymous
 * budget (estimated cost, subgraph requests, fields) they must be refused
 * (COST_ESTIMATED_TOO_EXPENSIVE), within it answered. Each subgraph request costs
 * the gateway a few ms whatever it returns, so the most an anonymous operation may
 * ask within every limit is one of the shapes.
 *
 * CPU_REPORT=1 prints each shape's figure; CPU_PROFILE_DIR=dir makes the gateway
 * write a --cpu-prof profile there when it stops.
 */
import { readFileSync } from 'node:fs';
import { getIntrospectionQuery } from 'graphql';
import { IDE_DEFAULT_QUERY } from '@polystore/gateway/ide';
import { seed } from '@polystore/launcher';
import { multipartParts, testServiceContext } from '@polystore/testing';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** The bound per request, in CPU milliseconds, for every shape (GraphiQL's full introspection query included). */
const MAX_CPU_MS = 20;
/** Requests per shape measured. */
const SENT = 10;

let stack: TestStack;
let gateway: GatewayProcess;

beforeAll(async () => {
  stack = await startTestStack();
  // The demo catalog (as `npm run seed` loads it): answered queries cost what their answers hold.
  const seeding = testServiceContext(stack.env);
  await seed({ gatewayUrl: stack.gatewayUrl, config: seeding.config, log: seeding.log, progress: false });
  await seeding.teardown.close();
  const profile = process.env.CPU_PROFILE_DIR;
  gateway = await startGatewayProcess(stack, {}, profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []);
}, 120_000);

afterAll(async () => {
  await gateway?.dispose();
  await stack?.dispose();
});

let fresh = 0;
/** A new operation name every time: nothing cached by document text can answer. */
const name = () => `Op${Date.now().toString(36)}${(fresh++).toString(36)}`;
const repeat = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i)).join(' ');
const INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});
/** A page of products from the three stores, with ten reviews each and their authors from PostgreSQL again: 19 fields. */
const PAGE = (first: number) =>
  `products(first: ${first}) { edges { node { id name price { amount } details { description category } reviews(first: 10) { edges { node { rating title author { name } } } } images { url } } } }`;
/** The same page without the reviews' authors: three subgraph requests instead of four. */
const PAGE_WITHOUT_AUTHORS = (first: number) => PAGE(first).replace(' author { name }', ' body');
const PRODUCT =
  'id sku name stock salesCount createdAt price { amount currency } details { description category tags }';

/** Each shape: what it is, and a body built anew (with a fresh operation name) for every request. */
type Shape = [string, () => { query: string; variables?: Record<string, unknown>; parts?: boolean }];
const shapes: Shape[] = [
  [
    '2,900 copies of one field',
    () => ({ query: `query ${name()} { products(first: 1) { ${repeat(2_900, () => 'totalCount')} } }` }),
  ],
  [
    '20,000 copies of one field (over the token limit)',
    () => ({ query: `query ${name()} { products(first: 1) { ${repeat(20_000, () => 'totalCount')} } }` }),
  ],
  [
    '150 copies of one field (under the field limit)',
    () => ({ query: `query ${name()} { products(first: 1) { ${repeat(150, () => 'totalCount')} } }` }),
  ],
  [
    '240 copies of one nested selection',
    () => ({ query: `query ${name()} { products(first: 1) { ${repeat(240, () => 'edges { node { id } }')} } }` }),
  ],
  [
    'copies of three fields under twenty aliases',
    () => ({
      query: `query ${name()} { ${repeat(20, (i) => `a${i}: products(first: 1) { edges { node { ${repeat(40, () => 'id sku name')} } } }`)} }`,
    }),
  ],
  [
    'a wide selection: twenty aliases of every product field',
    () => ({
      query: `query ${name()} { ${repeat(20, (i) => `a${i}: products(first: 2) { totalCount edges { cursor node { ${PRODUCT} } } }`)} }`,
    }),
  ],
  [
    '300 fragments spread together',
    () => ({
      query: `query ${name()} { products(first: 1) { edges { node { ${repeat(300, (i) => `...F${i}`)} } } } } ${repeat(300, (i) => `fragment F${i} on Product { id }`)}`,
    }),
  ],
  [
    'one fragment spread 1,400 times',
    () => ({
      query: `query ${name()} { products(first: 1) { edges { node { ${repeat(1_400, () => '...F')} } } } } fragment F on Product { id sku }`,
    }),
  ],
  [
    'a fragment bomb (each of 20 fragments spreads the one before twice)',
    () => ({
      query: `query ${name()} { products(first: 1) { edges { node { ...F20 } } } } fragment F0 on Product { id } ${repeat(20, (i) => `fragment F${i + 1} on Product { ...F${i} ...F${i} }`)}`,
    }),
  ],
  [
    '550 variables',
    () => ({
      query: `query ${name()}(${repeat(550, (i) => `$v${i}: Int`)}) { products(first: 1) { totalCount } }`,
      variables: Object.fromEntries(Array.from({ length: 550 }, (_, i) => [`v${i}`, i])),
    }),
  ],
  [
    '400 directives on one field',
    () => ({ query: `query ${name()} { products(first: 1) { totalCount ${repeat(400, () => '@skip(if: false)')} } }` }),
  ],
  [
    '20 directives (answered)',
    () => ({
      query: `query ${name()} { products(first: 1) { ${repeat(20, (i) => `c${i}: totalCount @include(if: true)`)} } }`,
    }),
  ],
  [
    'introspection twenty times over (aliases)',
    () => ({ query: `query ${name()} { ${repeat(20, (i) => `s${i}: __schema { types { name fields { name } } }`)} }` }),
  ],
  [
    "introspection of every type, its fields, and their types' fields",
    () => ({ query: `query ${name()} { __schema { types { fields { type { fields { type { name } } } } } } }` }),
  ],
  [
    "GraphiQL's full introspection query (answered)",
    () => ({ query: INTROSPECTION.replace('query IntrospectionQuery', `query ${name()}`) }),
  ],
  [
    // A document never seen before each time: nothing the gateway remembers of earlier answers helps.
    'the full introspection query with one more field each time (answered)',
    () => ({
      query: INTROSPECTION.replace('query IntrospectionQuery {', `query { __type(name: "${name()}") { name }`),
    }),
  ],
  // Answered, these grew with the answer: about 19, 27 and 31 ms before anonymous operations had a cost budget.
  ...[1, 5, 10].map((pages): Shape => [
    `${pages} aliased pages of 50 products from three stores (refused for its cost, or answered)`,
    () => ({ query: `query ${name()} { ${repeat(pages, (i) => `p${i}: ${PAGE(50)}`)} }` }),
  ]),
  [
    // Estimated 901, within the default anonymous budget of 1,000, but the reviews' authors are a fourth request.
    "a page of 20 products from three stores with the reviews' authors (refused for its cost, or answered)",
    () => ({ query: `query ${name()} { ${PAGE(20)} }` }),
  ],
  [
    'a page of 20 products with reviews and images, within every anonymous limit (answered)',
    () => ({ query: `query ${name()} { ${PAGE_WITHOUT_AUTHORS(20)} }` }),
  ],
  [
    // Small federated reads up to the field limit: each alias its own plan branch, with fetches from three stores.
    'sixteen aliases of one product from three stores (refused for its cost, or answered)',
    () => ({
      query: `query ${name()} { ${repeat(16, (i) => `a${i}: products(first: 1) { edges { node { name details { description } reviews(first: 1) { edges { node { author { name } } } } } } }`)} }`,
    }),
  ],
  [
    'eighteen aliases, each a search with prices and authors (refused for its cost, or answered)',
    () => ({
      query: `query ${name()} { ${repeat(18, (i) => `s${i}: searchProducts(text: "a", first: 2) { edges { node { name price { amount } reviews(first: 1) { edges { node { author { name } } } } } } }`)} }`,
    }),
  ],
  [
    // Each subgraph request costs a few ms whatever it returns: five in turn (three stores, three steps).
    'five subgraph requests for a few fields (refused for its cost, or answered)',
    () => ({
      query: `query ${name()} { products(first: 2) { edges { node { images { url } reviews(first: 2) { edges { node { author { name avatar { url } } } } } } } } }`,
    }),
  ],
  [
    'reviews of the authors of reviews, three requests to the depth limit (answered)',
    () => ({
      query: `query ${name()} { products(first: 1) { edges { node { reviews(first: 1) { edges { node { author { reviews(first: 1) { edges { node { product { name } } } } } } } } } } } }`,
    }),
  ],
  [
    // The most an anonymous operation may ask within every limit: three requests, cost 909, 59 fields.
    'a page of 20 products with reviews and images, and 40 more fields (answered)',
    () => ({
      query: `query ${name()} { ${PAGE_WITHOUT_AUTHORS(20)} ${repeat(4, (i) => `m${i}: products(first: 1) { edges { node { sku name price { amount currency } stock salesCount } } }`)} }`,
    }),
  ],
  [
    // @defer runs on the runtime's JavaScript planner: the product page below the fold, answered in parts.
    'a page of 20 products with details and images deferred, in parts (answered)',
    () => ({
      query: `query ${name()} { products(first: 20) { edges { node { id name ... @defer { details { description } images { url } } } } } }`,
      parts: true,
    }),
  ],
  [
    // Each deferred fragment's fields are requests of their own: twenty of them are over the request budget.
    'twenty deferred fragments of one product, in parts (refused for its cost, or answered)',
    () => ({
      query: `query ${name()} { products(first: 1) { edges { node { ${repeat(20, (i) => `... @defer { d${i}: details { description } }`)} } } } }`,
      parts: true,
    }),
  ],
  [
    "the IDE's default query (answered)",
    () => ({ query: IDE_DEFAULT_QUERY.replace('query ProductPage', `query ${name()}`) }),
  ],
];

/** A process's resident memory in MiB (/proc/<pid>/status, Linux). */
const residentMiB = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);

type Answer = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };

/** Sends a shape's body; `parts` asks for an answer in parts (multipart HTTP), merged here into one. */
async function send({
  parts,
  ...body
}: {
  query: string;
  parts?: boolean;
}): Promise<{ status: number; result: Answer }> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: parts ? 'multipart/mixed' : 'application/graphql-response+json',
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.headers.get('content-type')?.startsWith('multipart/'))
    return { status: response.status, result: (await response.json()) as Answer };
  const answered = multipartParts(await response.text());
  const errors = answered.flatMap((part) => [
    ...(part.errors ?? []),
    ...((part.incremental ?? []) as Answer[]).flatMap((increment) => increment.errors ?? []),
  ]);
  return { status: response.status, result: { data: answered[0]?.data, ...(errors.length ? { errors } : {}) } };
}

describe('CPU per anonymous request', () => {
  // A gateway that has served for a while: every code path compiled, lazy set-ups done.
  beforeAll(async () => {
    for (let round = 0; round < 3; round++) for (const [, make] of shapes) await send(make());
  }, 120_000);

  it.each(shapes)(
    `%s: at most ${MAX_CPU_MS} ms of gateway CPU`,
    async (shape, make) => {
      const limit = MAX_CPU_MS;
      // Up to three trials of SENT requests, the lowest counts: whatever else runs on the
      // machine (a collection, another process on the core) only ever adds CPU time.
      const answers: Awaited<ReturnType<typeof send>>[] = [];
      let perRequestMs = Infinity;
      for (let trial = 0; trial < 3 && perRequestMs > limit; trial++) {
        const before = gateway.cpuSeconds();
        for (let i = 0; i < SENT; i++) answers.push(await send(make()));
        perRequestMs = Math.min(perRequestMs, ((gateway.cpuSeconds() - before) * 1000) / SENT);
      }
      if (process.env.CPU_REPORT) {
        const first = answers[0]!.result.errors?.[0];
        const outcome = first
          ? `${first.extensions?.code}: ${first.message.slice(0, 120)}`
          : `answered, ${answers[0]!.status}`;
        process.stderr.write(`${shape}: ${perRequestMs.toFixed(1)} ms CPU per request (${outcome})\n`);
      }

      const answered = shape.endsWith('(answered)');
      const costly = shape.endsWith('(refused for its cost, or answered)');
      for (const { status, result } of answers) {
        if (costly && status === 200) {
          // Within the anonymous budget (GATEWAY_MAX_COST_ANONYMOUS): then answered in full, within the CPU bound.
          expect(result.errors).toBeUndefined();
          expect(result.data).toBeTruthy();
        } else if (costly) {
          // Over it: refused before planning, saying that signing in raises the budget.
          expect(status).toBe(400);
          expect(result.data ?? null).toBeNull();
          expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
          expect(result.errors?.[0]?.message).toMatch(/sign in/);
        } else if (answered) {
          expect(status).toBe(200);
          expect(result.data).toBeTruthy();
        } else {
          // Refused before execution: a 4xx and a coded error with a message.
          expect(result.data ?? null).toBeNull();
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
          for (const error of result.errors ?? []) {
            expect(error.extensions?.code).toMatch(/^(GRAPHQL_VALIDATION_FAILED|BAD_REQUEST)$/);
            expect(error.message.length).toBeGreaterThan(10);
          }
          expect(result.errors?.length).toBeGreaterThan(0);
        }
      }
      expect(perRequestMs).toBeLessThanOrEqual(limit);
    },
    120_000,
  );

  // A flood, not a probe: what the gateway keeps of each refused request must not add up.
  // Refused only after parsing, the runtime's cache of the last 1,024 parsed documents kept
  // every 3,000-field tree, and garbage collection over that heap cost more than the requests.
  it(`the probe's request 400 times in a row: at most ${MAX_CPU_MS} ms of gateway CPU each over the last 300`, async () => {
    const probe = () => ({ query: `query ${name()} { products(first: 1) { ${repeat(2_988, () => 'totalCount')} } }` });
    const rssBefore = residentMiB(gateway.pid);
    for (let i = 0; i < 100; i++) expect((await send(probe())).status).toBe(400);
    const before = gateway.cpuSeconds();
    for (let i = 0; i < 300; i++) expect((await send(probe())).status).toBe(400);
    const perRequestMs = ((gateway.cpuSeconds() - before) * 1000) / 300;
    const grownMiB = residentMiB(gateway.pid) - rssBefore;
    if (process.env.CPU_REPORT) {
      process.stderr.write(`flood: ${perRequestMs.toFixed(1)} ms CPU per request, resident memory +${grownMiB} MiB\n`);
    }
    expect(perRequestMs).toBeLessThanOrEqual(MAX_CPU_MS);
    // Each parsed probe is about a megabyte of tree and tokens: kept in the parse cache, 400 of them
    // grew the gateway by 640 MiB; now about 140, garbage not yet collected.
    expect(grownMiB).toBeLessThan(300);
  }, 300_000);
});
