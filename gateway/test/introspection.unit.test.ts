import { createGateway } from '../src/server.js';
import { composeSupergraph } from '../src/compose/compose.js';
import { testServiceContext } from '@polystore/testing';

/** GATEWAY_INTROSPECTION: on for development and tooling, off where production wants it. No subgraph is called. */
async function gatewayWith(introspection: string) {
  const context = testServiceContext({ GATEWAY_INTROSPECTION: introspection });
  const gateway = await createGateway({ ...context, supergraph: composeSupergraph() });
  const ask = async (query: string, accept = 'application/json') => {
    const response = await gateway.runtime.fetch('http://gateway.test/graphql', {
      method: query ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', accept },
      body: query ? JSON.stringify({ query }) : undefined,
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  };
  return { ask, close: () => context.teardown.close() };
}

describe('introspection', () => {
  it('answers introspection and serves the IDE by default', async () => {
    const gateway = await gatewayWith('true');
    try {
      expect(JSON.parse((await gateway.ask('{ __schema { queryType { name } } }')).body)).toEqual({
        data: { __schema: { queryType: { name: 'Query' } } },
      });
      expect((await gateway.ask('', 'text/html')).type).toContain('text/html');
    } finally {
      await gateway.close();
    }
  });

  it('refuses introspection and serves no IDE when turned off', async () => {
    const gateway = await gatewayWith('false');
    try {
      const refused = JSON.parse((await gateway.ask('{ __schema { queryType { name } } }')).body) as {
        data?: unknown;
        errors?: { message: string }[];
      };
      expect(refused.data ?? null).toBeNull();
      expect(refused.errors?.[0]?.message).toMatch(/introspection/i);
      expect(JSON.parse((await gateway.ask('{ __type(name: "Product") { name } }')).body).errors).toHaveLength(1);
      expect((await gateway.ask('', 'text/html')).type).not.toContain('text/html');
    } finally {
      await gateway.close();
    }
  });

  // A misspelt field: with suggestions, the error names the real one, which tells a
  // stranger the schema piece by piece even with introspection off.
  const MISSPELT = '{ prodcts(first: 1) { totalCount } }';

  it('suggests field names ("Did you mean") while introspection is on', async () => {
    const gateway = await gatewayWith('true');
    try {
      const { errors } = JSON.parse((await gateway.ask(MISSPELT)).body) as { errors: { message: string }[] };
      expect(errors.map((error) => error.message).join(' ')).toMatch(/Did you mean "products"/);
    } finally {
      await gateway.close();
    }
  });

  it('hides field suggestions when introspection is off, and still answers with a code', async () => {
    const gateway = await gatewayWith('false');
    try {
      const { errors } = JSON.parse((await gateway.ask(MISSPELT)).body) as {
        errors: { message: string; extensions?: { code?: string } }[];
      };
      expect(errors.length).toBeGreaterThan(0);
      const messages = errors.map((error) => error.message).join(' ');
      expect(messages).not.toMatch(/Did you mean/i);
      expect(messages).not.toContain('"products"');
      for (const error of errors) expect(typeof error.extensions?.code).toBe('string');
    } finally {
      await gateway.close();
    }
  });
});
