import usePrometheus, { createCounter, createHistogram } from '@graphql-mesh/plugin-prometheus';
import { Logger } from '@graphql-hive/logger';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { DocumentNode } from 'graphql';
import type { Registry } from 'prom-client';
import type { OperationLabels } from './metrics.js';

export interface PrometheusOptions {
  /** The registry behind the gateway's `/metrics`. */
  registry: Registry;
  /** How operations are named in labels (`operationLabels`). */
  labels: OperationLabels;
}

type OperationParams = { document?: DocumentNode; operationName?: string; operationType?: string };
type SubgraphParams = { subgraphName: string; executionRequest: { operationName?: string; operationType?: string } };

/**
 * Per-operation and per-subgraph metrics on the gateway's `/metrics`, by the
 * runtime's own Prometheus plugin: request durations and errors by operation
 * name and type, execution time, and each subgraph call's duration and errors
 * by subgraph. Every label comes from a bounded set: operation names as
 * `operationLabels` allows, operation types, subgraph names, error phases
 * (the plugin's error `path` label, made of client-chosen aliases, is left out).
 */
export function usePrometheusMetrics({ registry, labels }: PrometheusOptions): GatewayPlugin {
  const operation = ({ document, operationName, operationType }: OperationParams) => ({
    operationName: labels.ofDocument(document, operationName === 'Anonymous' ? undefined : operationName),
    operationType: operationType ?? 'unknown',
  });
  const subgraphCall = ({ subgraphName, executionRequest }: SubgraphParams) => ({
    subgraphName,
    operationName: labels.ofSubgraphRequest(executionRequest.operationName),
    operationType: executionRequest.operationType ?? 'query',
  });
  const operationLabelNames = ['operationName', 'operationType'] as const;
  const subgraphLabelNames = ['subgraphName', 'operationName', 'operationType'] as const;
  return usePrometheus({
    registry,
    // `/metrics` is served on the gateway's metrics listener with the process metrics.
    endpoint: false,
    log: new Logger({ level: false }),
    // Every metric named, since the plugin turns on whatever is left out. The ones off
    // cost CPU on every request for little: the deprecated-field count walks each
    // document with a TypeInfo, summaries keep a sliding window per label set, and the
    // per-phase and per-fetch histograms repeat what the request and subgraph ones say
    // (the fetch one is labelled by URL).
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_request',
          help: 'GraphQL operations executed',
          labelNames: operationLabelNames,
        },
        fillLabelsFn: operation,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'Time spent on a GraphQL operation, parse to execute',
          labelNames: operationLabelNames,
        },
        fillLabelsFn: operation,
      }),
      graphql_envelop_phase_execute: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_phase_execute',
          help: 'Time spent executing a GraphQL operation',
          labelNames: operationLabelNames,
        },
        fillLabelsFn: operation,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'Errors in GraphQL results, by the phase that reported them',
          labelNames: [...operationLabelNames, 'phase'],
        },
        fillLabelsFn: (params: OperationParams & { errorPhase?: string }) => ({
          ...operation(params),
          phase: params.errorPhase ?? 'unknown',
        }),
      }),
      graphql_gateway_subgraph_execute_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_gateway_subgraph_execute_duration',
          help: 'Time spent on a subgraph call',
          labelNames: subgraphLabelNames,
        },
        fillLabelsFn: subgraphCall,
      }),
      graphql_gateway_subgraph_execute_errors: createCounter({
        registry,
        counter: {
          name: 'graphql_gateway_subgraph_execute_errors',
          help: 'Errors in subgraph answers',
          labelNames: subgraphLabelNames,
        },
        fillLabelsFn: subgraphCall,
      }),
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
