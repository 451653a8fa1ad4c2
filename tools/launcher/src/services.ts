import { SUBGRAPHS, subgraphEntryPath, type RedisService } from '@polystore/common';

/** A service the stack runs as a process of its own. */
export interface StackService {
  name: RedisService;
  /** The process name in logs and errors (`sql-subgraph`). */
  service: string;
  /** Its entry file, relative to the repository. */
  entry: string;
  portVariable: string;
  metricsPortVariable: string;
}

/** Every service of the stack, subgraphs first (the gateway composes from them). */
export const STACK_SERVICES: readonly StackService[] = [
  ...SUBGRAPHS.map((subgraph) => ({
    name: subgraph.name,
    service: subgraph.service,
    entry: subgraphEntryPath(subgraph),
    portVariable: subgraph.portVariable,
    metricsPortVariable: subgraph.metricsPortVariable,
  })),
  {
    name: 'gateway',
    service: 'gateway',
    entry: 'gateway/src/index.ts',
    portVariable: 'GATEWAY_PORT',
    metricsPortVariable: 'GATEWAY_METRICS_PORT',
  },
];
