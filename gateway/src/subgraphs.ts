import { fileURLToPath } from 'node:url';
import type { Config } from '@polystore/common';

export interface SubgraphDefinition {
  /** Name in the supergraph and key of `transportEntries`. */
  name: 'sql' | 'mongo' | 'storage';
  schemaFile: string;
  /** URL recorded in the committed supergraph: the `npm start` default. */
  defaultUrl: string;
}

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export const SUBGRAPHS: readonly SubgraphDefinition[] = [
  {
    name: 'sql',
    schemaFile: root('services/sql-subgraph/schema.graphql'),
    defaultUrl: 'http://127.0.0.1:4001/graphql',
  },
  {
    name: 'mongo',
    schemaFile: root('services/mongo-subgraph/schema.graphql'),
    defaultUrl: 'http://127.0.0.1:4002/graphql',
  },
  {
    name: 'storage',
    schemaFile: root('services/storage-subgraph/schema.graphql'),
    defaultUrl: 'http://127.0.0.1:4003/graphql',
  },
];

/** Where each subgraph is reached at run time: the configured URL, else the one in the supergraph. */
export function subgraphUrls(config: Config['gateway']): Partial<Record<SubgraphDefinition['name'], string>> {
  return Object.fromEntries(
    SUBGRAPHS.flatMap(({ name }) => (config.subgraphUrls[name] ? [[name, config.subgraphUrls[name]]] : [])),
  );
}
