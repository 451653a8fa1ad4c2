import usePrometheus from '@graphql-mesh/plugin-prometheus';
import { Logger } from '@graphql-hive/logger';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { ServiceMetrics } from '@polystore/common';
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
    // Every metric named, since the plugin turns on whatever is left out. The ones off
    // cost CPU on every request for little: the deprecated-field count walks each
    // document with a TypeInfo, summaries keep a sliding window per label set, and the
    // per-phase and per-fetch histograms repeat what the request and subgraph ones say.
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_phase_execute: true,
      graphql_envelop_error_result: true,
      graphql_gateway_subgraph_execute_duration: true,
      graphql_gateway_subgraph_execute_errors: true,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_execute_resolver: false,
      graphql_envelop_schema_change: false,
      graphql_yoga_http_duration: false,
      graphql_gateway_fetch_duration: false,
    },
  });
}

/**
 * Our own plugins' counters on the same `/metrics`, named here so their names
 * live in one place. Labels are bounded: outcomes, identity kinds, and operation
 * names (as the runtime's metrics above label them).
 */
export const gatewayCounters = {
  /** Requests refused with 429 by the rate limit (`plugins/rate-limit.ts`), by identity kind. */
  rateLimitRefusals: (metrics: ServiceMetrics) =>
    metrics.counter('gateway_rate_limit_refusals_total', 'Requests refused by the rate limit (429)', ['identity']),
  /** Query operations answered from the response cache (`hit`) or executed (`miss`), by operation name. */
  responseCacheLookups: (metrics: ServiceMetrics) =>
    metrics.counter('gateway_response_cache_lookups_total', 'Response cache lookups of query operations', [
      'operationName',
      'result',
    ]),
};
