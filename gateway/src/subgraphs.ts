import { fileURLToPath } from 'node:url';
import { SUBGRAPHS, subgraphDefaultUrl, subgraphSchemaPath, type Config, type SubgraphName } from '@polystore/common';

export { SUBGRAPHS };

/** Absolute path of a subgraph's schema file, whatever the working directory. */
export const schemaFileOf = (subgraph: (typeof SUBGRAPHS)[number]) =>
  fileURLToPath(new URL(`../../${subgraphSchemaPath(subgraph)}`, import.meta.url));

export const defaultUrlOf = subgraphDefaultUrl;

/** Where each subgraph is reached at run time: the configured URL, else the one in the supergraph. */
export function subgraphUrls(config: Config): Partial<Record<SubgraphName, string>> {
  return Object.fromEntries(
    SUBGRAPHS.flatMap(({ name }) => (config.subgraphUrls[name] ? [[name, config.subgraphUrls[name]]] : [])),
  );
}
