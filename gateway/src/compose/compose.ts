import { readFileSync } from 'node:fs';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
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
  return { supergraph: `${result.supergraphSdl.trim()}\n`, publicSchema: `${result.publicSdl.trim()}\n` };
}

/** The supergraph SDL alone. */
export const composeSupergraph = (urls: Partial<Record<string, string>> = {}) => composeGraphs(urls).supergraph;
