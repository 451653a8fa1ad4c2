import type { DocumentNode } from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { useAuthorization } from '../src/plugins/authorization.js';

/**
 * The gateway's authorization as the runtime runs it (a Yoga server, the
 * claims on the context as the JWT plugin leaves them): each caller gets its
 * own decision for the same document, and an allowed operation reaches
 * execution with the document the parser made, so the runtime's plans (kept
 * per document) are reused.
 */
const schema = createSchema({
  typeDefs: /* GraphQL */ `
    directive @authenticated on FIELD_DEFINITION | OBJECT
    directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
    type Query {
      open: String
      mine: String @authenticated
      sales: Int @requiresScopes(scopes: [["admin"], ["finance", "read"]])
    }
  `,
  resolvers: { Query: { open: () => 'open', mine: () => 'mine', sales: () => 42 } },
});

const executed: DocumentNode[] = [];
const yoga = createYoga({
  schema,
  logging: false,
  plugins: [
    {
      // As the JWT plugin leaves verified claims: `{ jwt: { payload } }`, here from a test header.
      onContextBuilding({ context, extendContext }) {
        const claims = (context as { request: Request }).request.headers.get('x-claims');
        if (claims) extendContext({ jwt: { payload: JSON.parse(claims) } } as never);
      },
    } satisfies Plugin,
    useAuthorization({ jwtSecret: 'unit-secret' } as never) as Plugin,
    { onExecute: ({ args }) => void executed.push(args.document) } satisfies Plugin,
  ],
});

async function ask(query: string, claims?: Record<string, unknown>, variables?: Record<string, unknown>) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(claims ? { 'x-claims': JSON.stringify(claims) } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as {
    data?: Record<string, unknown>;
    errors?: { extensions?: { code?: string } }[];
  };
  return { data: body.data, codes: body.errors?.map((error) => error.extensions?.code) };
}

const admin = { sub: 'a', scope: 'admin' };
const user = { sub: 'u' };

describe('authorization decisions, remembered per document and caller', () => {
  it('answers each caller by its own claims, whoever asked the same document before', async () => {
    const query = '{ open mine sales }';
    expect(await ask(query, admin)).toEqual({ data: { open: 'open', mine: 'mine', sales: 42 }, codes: undefined });
    expect(await ask(query, admin)).toEqual({ data: { open: 'open', mine: 'mine', sales: 42 }, codes: undefined });
    expect((await ask(query, user)).codes).toEqual(['FORBIDDEN']);
    expect((await ask(query)).codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect((await ask(query, { sub: 'f', scope: 'read finance' })).data).toEqual({
      open: 'open',
      mine: 'mine',
      sales: 42,
    });
    expect((await ask(query, { sub: 'f', scope: 'finance' })).codes).toEqual(['FORBIDDEN']);
    // Refusals are not remembered as allowed, nor the other way round.
    expect((await ask(query, user)).codes).toEqual(['FORBIDDEN']);
    expect((await ask(query, admin)).codes).toBeUndefined();
  });

  it('checks a field under a variable @include on every request', async () => {
    const query = 'query ($all: Boolean!) { open sales @include(if: $all) }';
    expect(await ask(query, user, { all: false })).toEqual({ data: { open: 'open' }, codes: undefined });
    expect((await ask(query, user, { all: true })).codes).toEqual(['FORBIDDEN']);
    expect((await ask(query, user, { all: false })).codes).toBeUndefined();
  });

  it('executes an allowed operation with the document the parser made, the same one each time', async () => {
    executed.length = 0;
    const query = '{ open mine }';
    await ask(query, user);
    await ask(query, user);
    await ask(query, { sub: 'other' });
    expect(executed).toHaveLength(3);
    expect(new Set(executed).size).toBe(1);
  });
});
