import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEntityOwner {
  /** Set it as the owner's URL variable (for example SQL_SUBGRAPH_URL). */
  url: string;
  /** Ids that exist; add and remove as the test goes. */
  existing: Set<string>;
  dispose(): Promise<void>;
}

/**
 * Stands in for the subgraph that owns an entity type, for a subgraph tested
 * alone: it answers the reference checks' `_entities` query (see
 * `createReferenceChecker`) with the entity when its id is in `existing`, else null.
 */
export async function startFakeEntityOwner(existing: Iterable<string> = []): Promise<FakeEntityOwner> {
  const ids = new Set(existing);
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { variables } = JSON.parse(body) as {
        variables: { representations: { __typename: string; id: string }[] };
      };
      const entities = variables.representations.map(({ __typename, id }) => (ids.has(id) ? { __typename } : null));
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ data: { _entities: entities } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    existing: ids,
    dispose: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
