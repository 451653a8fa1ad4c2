import { readFileSync } from 'node:fs';
import { composeServices } from '@theguild/federation-composition';
import { astFromDirective, GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import { Kind, parse, print } from 'graphql';
import { defaultUrlOf, schemaFileOf, SUBGRAPHS } from '../subgraphs.js';

export class CompositionError extends Error {
  override name = 'CompositionError';
}

/**
 * Composes the subgraphs' schema files: the supergraph the gateway serves,
 * and the public schema clients see (no federation internals), the file
 * client tooling reads. `urls` overrides the recorded routing URL per
 * subgraph (tests use random ports).
 */
export function composeGraphs(urls: Partial<Record<string, string>> = {}): {
  supergraph: string;
  publicSchema: string;
} {
  const result = composeServices(
    SUBGRAPHS.map((subgraph) => ({
      name: subgraph.name,
      url: urls[subgraph.name] ?? defaultUrlOf(subgraph),
      typeDefs: parse(readFileSync(schemaFileOf(subgraph), 'utf8')),
    })),
  );
  if (result.errors) {
    throw new CompositionError(`composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  return {
    supergraph: `${result.supergraphSdl.trim()}\n`,
    publicSchema: `${withServedDirectives(result.publicSdl, result.supergraphSdl)}\n`,
  };
}

/**
 * The auth and demand-control directives of the federation spec, which the gateway
 * serves to introspection like any definition.
 */
const SERVED_DIRECTIVE_NAMES = new Set([
  'authenticated',
  'requiresScopes',
  'requiresScopes__Scope',
  'policy',
  'policy__Policy',
  'cost',
  'listSize',
]);

/**
 * The public schema plus the definitions of the auth and cost directives the supergraph uses, and of
 * `@defer` and `@stream` (`incremental-delivery.ts`): the gateway serves them all.
 */
function withServedDirectives(publicSdl: string, supergraphSdl: string): string {
  const definitions = [
    ...parse(supergraphSdl).definitions.filter(
      (node) =>
        (node.kind === Kind.DIRECTIVE_DEFINITION || node.kind === Kind.SCALAR_TYPE_DEFINITION) &&
        SERVED_DIRECTIVE_NAMES.has(node.name.value),
    ),
    astFromDirective(GraphQLDeferDirective),
    astFromDirective(GraphQLStreamDirective),
  ];
  return `${publicSdl.trim()}\n\n${definitions.map((node) => print(node)).join('\n\n')}`;
}

/** The supergraph SDL alone. */
export const composeSupergraph = (urls: Partial<Record<string, string>> = {}) => composeGraphs(urls).supergraph;
