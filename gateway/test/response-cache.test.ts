import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@theguild/federation-composition';
import { buildSchema, graphql, parse } from 'graphql';
import { Redis } from 'ioredis';
import { eventually, testServiceContext } from '@polystore/testing';
import { testRedis } from '@polystore/testing/stores';
import type { ServiceContext } from '@polystore/common';
import { createGateway } from '../src/server.js';

/**
 * The response cache through a real gateway over two small subgraphs (as in the
 * federation audit's `null-keys` suite, `b` answers one book's entity with null
 * and no error) and the real Redis: the subgraphs get the client's own fields,
 * an answer with a null entity is never stored, and a hot reload of the
 * supergraph changes every key.
 */
const federation = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])`;
const SUBGRAPH_SDL = {
  a: `${federation}
    type Query { containers: [Container] }
    type Container { book: Book }
    type Book @key(fields: "upc") { upc: ID! }`,
  b: `${federation}
    type Book @key(fields: "upc") { upc: ID! id: ID! title: String }`,
};

/** A subgraph answering with graphql-js, recording every query it is sent. */
interface FakeSubgraph {
  url: string;
  queries: string[];
  close(): Promise<void>;
}

async function fakeSubgraph(sdl: string, root: Record<string, unknown>): Promise<FakeSubgraph> {
  const schema = buildSchema(`scalar _Any\n${sdl}`);
  const queries: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { query, variables } = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
      queries.push(query);
      void graphql({ schema, source: query, variableValues: variables, rootValue: root }).then((result) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(result));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    queries,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Subgraph `a`: containers holding the books with these upcs. */
const subgraphA = (upcs: string[]) =>
  fakeSubgraph(
    `union _Entity = Book
     type Query { containers: [Container] _entities(representations: [_Any!]!): [_Entity]! }
     type Container { book: Book }
     type Book { upc: ID! }`,
    { containers: () => upcs.map((upc) => ({ book: { upc } })), _entities: () => [] },
  );

const BOOKS: Record<string, { id: string; title: string } | undefined> = { b1: { id: '1', title: 'One' } };

let redis: Awaited<ReturnType<typeof testRedis>>;
let client: Redis;
let folder: string;
let subgraphs: FakeSubgraph[];
let a: FakeSubgraph;
let moved: FakeSubgraph;
let b: FakeSubgraph;
let context: ServiceContext;
let gatewayUrl: string;

const supergraph = (urls: { a: string; b: string }) => {
  const result = composeServices(
    (['a', 'b'] as const).map((name) => ({ name, url: urls[name], typeDefs: parse(SUBGRAPH_SDL[name]) })),
  );
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
};

beforeAll(async () => {
  redis = await testRedis();
  client = new Redis(redis.url);
  a = await subgraphA(['b1', 'b2']);
  moved = await subgraphA(['b1']);
  b = await fakeSubgraph(
    `union _Entity = Book
     type Query { _entities(representations: [_Any!]!): [_Entity]! }
     type Book { upc: ID! id: ID! title: String }`,
    {
      // Book b2 is unknown here: its entity is null, without an error.
      _entities: ({ representations }: { representations: { upc: string }[] }) =>
        representations.map(({ upc }) => (BOOKS[upc] ? { __typename: 'Book', upc, ...BOOKS[upc] } : null)),
    },
  );
  subgraphs = [a, moved, b];
  folder = await mkdtemp(join(tmpdir(), 'response-cache-'));
  await writeFile(join(folder, 'supergraph.graphql'), supergraph({ a: a.url, b: b.url }));
  context = testServiceContext({
    REDIS_URL: redis.serviceUrls.gateway,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    GATEWAY_RESPONSE_CACHE: 'true',
    SUPERGRAPH_PATH: join(folder, 'supergraph.graphql'),
    SUPERGRAPH_POLL_MS: '100',
  });
  const gateway = await createGateway(context);
  gatewayUrl = await gateway.listen(0);
});

afterAll(async () => {
  await context?.teardown.close();
  await Promise.all(subgraphs?.map((subgraph) => subgraph.close()) ?? []);
  await client?.quit();
  await redis?.dispose();
  if (folder) await rm(folder, { recursive: true, force: true });
});

async function query(text: string) {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: text }),
  });
  return (await response.json()) as {
    data?: { containers: { book: Record<string, unknown> | null }[] };
    errors?: unknown[];
  };
}

const storedAnswers = async () => (await client.keys(`${redis.keyPrefix}gateway:{rc}:response:*`)).length;

describe('response cache', () => {
  it('sends the subgraphs the fields the client asked for, and nothing more', async () => {
    const before = b.queries.length;
    await query(`{ containers { book { title } } }`);
    const sent = b.queries.slice(before);
    expect(sent).not.toHaveLength(0);
    for (const text of [...sent, ...a.queries]) {
      expect(text).not.toMatch(/__responseCache/);
      // `id` exists on Book in `b`; the client did not ask for it.
      expect(text).not.toMatch(/\bid\b/);
    }
  });

  it('never stores an answer in which an entity came back null without an error', async () => {
    const text = `{ containers { book { upc title } } }`;
    const first = await query(text);
    expect(first.errors).toBeUndefined();
    const books = first.data!.containers.map((container) => container.book);
    expect(books[0]).toEqual({ upc: 'b1', title: 'One' });
    // However the planner merges the empty entity, the answer holds a null where the schema says an entity goes.
    expect(books[1] === null || books[1]!['title'] === null).toBe(true);
    const fetchesBefore = b.queries.length;
    await query(text);
    expect(b.queries.length).toBe(fetchesBefore + 1);
  });

  it('serves a repeated answer from Redis, and a new one once the supergraph changes', async () => {
    const text = `{ containers { book { upc } } }`;
    expect((await query(text)).data!.containers).toHaveLength(2);
    // Stored after it is sent.
    await eventually(async () => (await storedAnswers()) > 0, 'the answer is stored');
    const fetchesBefore = a.queries.length;
    expect((await query(text)).data!.containers).toHaveLength(2);
    expect(a.queries.length).toBe(fetchesBefore);

    // Subgraph `a` moves (only its URL changes in the supergraph): the old answer is not served again.
    await writeFile(join(folder, 'supergraph.graphql'), supergraph({ a: moved.url, b: b.url }));
    await eventually(async () => (await query(text)).data!.containers.length === 1, 'the new supergraph answers');
  });
});
