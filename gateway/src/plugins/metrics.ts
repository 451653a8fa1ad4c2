import usePrometheus, { createCounter, createHistogram } from '@graphql-mesh/plugin-prometheus';
import { Logger } from '@graphql-hive/logger';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { Config, ServiceMetrics } from '@polystore/common';
import { getOperationAST, type DocumentNode } from 'graphql';
import type { PluginContext } from './index.js';

/** The `operationName` of every operation the gateway does not know by name. */
export const OTHER_OPERATIONS = 'other';

/**
 * Operation names are labels only when the gateway knows every operation it
 * runs: with GATEWAY_PERSISTED_QUERIES=allow-list only registered documents run,
 * so their names come from a list operators control. Otherwise a client
 * chooses the name, and each new one would be a new series on `/metrics`
 * (memory in the gateway and in Prometheus, without bound): all are `other`.
 */
export function operationLabels(config: Config) {
  const known = config.gateway.persistedQueries.mode === 'allow-list';
  return {
    /** The label of the operation `operationName` selects in `document` (as graphql-js selects it). */
    ofDocument(document: DocumentNode | undefined, operationName?: string | null): string {
      if (!known || !document) return OTHER_OPERATIONS;
      const operation = getOperationAST(document, operationName || undefined);
      // A name the document does not define runs nothing: not a label either.
      return operation ? (operation.name?.value ?? 'anonymous') : OTHER_OPERATIONS;
    },
    /** The same, from the operation's text (a response-cache hit is answered before parsing). */
    ofText(query: string | undefined, operationName?: string | null): string {
      if (!known || !query) return OTHER_OPERATIONS;
      if (!operationName) return NAMED_OPERATION.exec(query)?.[1] ?? 'anonymous';
      if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(operationName)) return OTHER_OPERATIONS;
      return new RegExp(`\\b(?:query|mutation|subscription)\\s+${operationName}\\b`).test(query)
        ? operationName
        : OTHER_OPERATIONS;
    },
    /** A subgraph request's: planned from a known operation, so named after it; else `other`. */
    ofSubgraphRequest(operationName: string | undefined): string {
      return known ? (operationName ?? 'anonymous') : OTHER_OPERATIONS;
    },
  };
}

/** The first operation name in a document's text. */
const NAMED_OPERATION = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

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
export function prometheusMetrics({ config, metrics }: PluginContext): GatewayPlugin {
  const registry = metrics.registry;
  const labels = operationLabels(config);
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

/**
 * Our own plugins' counters on the same `/metrics`, named here so their names
 * live in one place. Labels are bounded: outcomes, identity kinds, and operation
 * names as `operationLabels` allows them.
 */
export const gatewayCounters = {
  /** Requests refused with 429 by the rate limit (`plugins/rate-limit.ts`), by identity kind. */
  rateLimitRefusals: (metrics: ServiceMetrics) =>
    metrics.counter('gateway_rate_limit_refusals_total', 'Requests refused by the rate limit (429)', ['identity']),
  /** Rate-limit decisions made on this replica's own count because Redis did not answer in time, by identity kind. */
  rateLimitLocalDecisions: (metrics: ServiceMetrics) =>
    metrics.counter(
      'gateway_rate_limit_local_decisions_total',
      "Rate-limit decisions made on this replica's own count (Redis slow or down)",
      ['identity'],
    ),
  /** Query operations answered from the response cache (`hit`) or executed (`miss`), by operation name. */
  responseCacheLookups: (metrics: ServiceMetrics) =>
    metrics.counter('gateway_response_cache_lookups_total', 'Response cache lookups of query operations', [
      'operationName',
      'result',
    ]),
};
