import usePrometheus from '@graphql-mesh/plugin-prometheus';
import { Logger } from '@graphql-hive/logger';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { PluginContext } from './index.js';

/**
 * Per-operation and per-subgraph metrics on the gateway's `/metrics`, by the
 * runtime's own Prometheus plugin: request durations and errors by operation
 * name and type, execution time, and each subgraph call's duration and errors
 * by subgraph. Labels come from operation names, never from variables.
 */
export function prometheusMetrics({ metrics }: PluginContext): GatewayPlugin {
  return usePrometheus({
    registry: metrics.registry,
    // `/metrics` is served by the gateway's HTTP server with the process metrics.
    endpoint: false,
    log: new Logger({ level: false }),
    metrics: {
      graphql_envelop_request_duration: true,
      graphql_envelop_phase_execute: true,
      graphql_envelop_error_result: true,
      graphql_gateway_subgraph_execute_duration: true,
      graphql_gateway_subgraph_execute_errors: true,
    },
  });
}
