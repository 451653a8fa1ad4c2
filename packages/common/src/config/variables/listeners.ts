import { subgraphDefaultUrl } from '../../subgraphs.js';
import { flag, inSection, integer, perSubgraph, text, url } from '../variable.js';

const PORT = { min: 0, max: 65535 } as const;

/** Listening ports: the gateway's and each subgraph's (from the registry in `subgraphs.ts`). */
export const ports = inSection(
  { title: 'Ports' },
  {
    gateway: integer({
      name: 'GATEWAY_PORT',
      default: 4000,
      ...PORT,
      doc: "Gateway's port: the only endpoint clients use.",
    }),
    ...perSubgraph((subgraph) =>
      integer({
        name: subgraph.portVariable,
        default: subgraph.defaultPort,
        ...PORT,
        doc: `${subgraph.service}'s GraphQL port.`,
      }),
    ),
  },
);

/** `/metrics` on a listener of its own per service: clients on the GraphQL port cannot reach it (404 there). */
export const metrics = inSection(
  {
    title: 'Metrics (Prometheus `/metrics`, for operators)',
    intro:
      'Each service serves /metrics on a listener of its own, never on the port clients use (there it answers 404).',
  },
  {
    enabled: flag({
      name: 'METRICS_ENABLED',
      default: true,
      doc: 'Serve /metrics at all; false: no metrics listener.',
    }),
    host: text({
      name: 'METRICS_HOST',
      default: '127.0.0.1',
      doc: 'Interface of the metrics listeners: this machine only; 0.0.0.0 in containers, where Prometheus scrapes them over the private network.',
    }),
    ports: {
      gateway: integer({
        name: 'GATEWAY_METRICS_PORT',
        default: 9090,
        ...PORT,
        doc: "Gateway's metrics port (9090, as Apollo Router's; 0 picks a free one).",
      }),
      ...perSubgraph((subgraph) =>
        integer({
          name: subgraph.metricsPortVariable,
          default: subgraph.defaultMetricsPort,
          ...PORT,
          doc: `${subgraph.service}'s metrics port.`,
        }),
      ),
    },
  },
);

/**
 * Where each subgraph is reached by the gateway and by the other subgraphs;
 * unset: the URL recorded in the supergraph, which is its default local URL.
 */
export const subgraphUrls = inSection(
  { title: 'Subgraph URLs' },
  perSubgraph((subgraph) =>
    url({
      name: subgraph.urlVariable,
      example: subgraphDefaultUrl(subgraph).replace('127.0.0.1', subgraph.service),
      unset: `the URL in the supergraph, ${subgraphDefaultUrl(subgraph)}`,
      doc: `Where the gateway, and subgraphs checking references, reach ${subgraph.service}.`,
    }),
  ),
);
