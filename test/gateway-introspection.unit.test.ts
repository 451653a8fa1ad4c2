import { createGateway } from '@polystore/gateway';
import { composeSupergraph } from '@polystore/gateway/compose';
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
});
