import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { SUBGRAPHS, subgraphDefaultUrl } from '@polystore/common';
import { generatedSchemaFile } from '../src/compose/generated-files.js';

const committed = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('committed supergraph', () => {
  it('matches what the subgraph schemas compose to (run `npm run compose` after changing a schema)', () => {
    expect(committed('../supergraph.graphql')).toBe(generatedSchemaFile('supergraph'));
  });

  it('records the default local URL of every subgraph', () => {
    for (const subgraph of SUBGRAPHS) {
      expect(committed('../supergraph.graphql')).toContain(
        `@join__graph(name: "${subgraph.name}", url: "${subgraphDefaultUrl(subgraph)}")`,
      );
    }
  });
});

describe('committed public schema (schema.graphql, for client tooling)', () => {
  it('matches what the subgraph schemas compose to (run `npm run schema` after changing a schema)', () => {
    expect(committed('../../schema.graphql')).toBe(generatedSchemaFile('public'));
  });

  it('is a complete schema without federation internals', () => {
    const sdl = committed('../../schema.graphql');
    // `@requiresScopes` and `@authenticated` stay: the gateway serves their definitions to introspection.
    expect(sdl).not.toMatch(
      /join__|link__|_entities|_service|_Any|@key|@external|@requires\b(?!Scopes)|@provides|@shareable/,
    );
    const schema = buildSchema(sdl);
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(
      expect.arrayContaining(['user', 'users', 'product', 'products', 'order', 'asset']),
    );
    expect(schema.getMutationType()).toBeDefined();
    expect(schema.getSubscriptionType()).toBeDefined();
  });
});
