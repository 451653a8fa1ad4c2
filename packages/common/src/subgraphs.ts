/**
 * Every subgraph of the stack, in one list. The config (ports and URL
 * variables), the gateway and its composition, the `npm start` launcher,
 * resolver codegen and the deployment checks all read it: adding a subgraph
 * is one entry here plus its folder `services/<service>/` (with `schema.graphql`,
 * `codegen.json` and `src/index.ts`). No imports, so build tools can load it alone.
 */
export const SUBGRAPHS = [
  {
    /** Name in the supergraph (`@join__graph`) and in config (`ports.sql`). */
    name: 'sql',
    service: 'sql-subgraph',
    defaultPort: 4001,
    portVariable: 'SQL_SUBGRAPH_PORT',
    /** Its `/metrics` listener (operators only, apart from the GraphQL port). */
    defaultMetricsPort: 9091,
    metricsPortVariable: 'SQL_SUBGRAPH_METRICS_PORT',
    /** Where the gateway and the other subgraphs reach it, when not at its default URL. */
    urlVariable: 'SQL_SUBGRAPH_URL',
    /** Entity types whose key fields it defines: the one answer to "does this id exist?". */
    owns: ['User', 'Product', 'Order'],
  },
  {
    name: 'mongo',
    service: 'mongo-subgraph',
    defaultPort: 4002,
    portVariable: 'MONGO_SUBGRAPH_PORT',
    defaultMetricsPort: 9092,
    metricsPortVariable: 'MONGO_SUBGRAPH_METRICS_PORT',
    urlVariable: 'MONGO_SUBGRAPH_URL',
    owns: [],
  },
  {
    name: 'storage',
    service: 'storage-subgraph',
    defaultPort: 4003,
    portVariable: 'STORAGE_SUBGRAPH_PORT',
    defaultMetricsPort: 9093,
    metricsPortVariable: 'STORAGE_SUBGRAPH_METRICS_PORT',
    urlVariable: 'STORAGE_SUBGRAPH_URL',
    owns: ['Asset'],
  },
] as const;

export type SubgraphDefinition = (typeof SUBGRAPHS)[number];
export type SubgraphName = SubgraphDefinition['name'];
export type OwnedEntity = SubgraphDefinition['owns'][number];

/** The subgraph that owns an entity type. */
export function ownerOf(entity: OwnedEntity): SubgraphDefinition {
  return SUBGRAPHS.find((subgraph) => (subgraph.owns as readonly string[]).includes(entity))!;
}

/** The service's folder, relative to the repository root. */
export const subgraphDirectory = (subgraph: SubgraphDefinition) => `services/${subgraph.service}`;
/** Its schema, the source of truth for composition and codegen. */
export const subgraphSchemaPath = (subgraph: SubgraphDefinition) => `${subgraphDirectory(subgraph)}/schema.graphql`;
/** Its entry point, which `npm start` and the containers run. */
export const subgraphEntryPath = (subgraph: SubgraphDefinition) => `${subgraphDirectory(subgraph)}/src/index.ts`;
/** The URL the committed supergraph records: the subgraph on its default port on this machine. */
export const subgraphDefaultUrl = (subgraph: SubgraphDefinition) => `http://127.0.0.1:${subgraph.defaultPort}/graphql`;
