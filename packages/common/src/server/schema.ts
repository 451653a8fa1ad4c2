import { readFileSync } from 'node:fs';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';

/** Reads a subgraph's `schema.graphql`, the source of truth for its API and its generated types. */
export function readTypeDefs(schemaFile: URL): DocumentNode {
  return parse(readFileSync(schemaFile, 'utf8'));
}

/**
 * Federation subgraph schema from SDL and resolvers. The resolver map comes
 * from graphql-codegen's `Resolvers` type, which is stricter than Apollo's.
 */
export function buildFederatedSchema(typeDefs: DocumentNode, resolvers: object): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }]);
}
