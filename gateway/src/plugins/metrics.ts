import type { Config, ServiceMetrics } from '@polystore/common';
import { getOperationAST, type DocumentNode } from 'graphql';

// The gateway's own names and labels on `/metrics`, used by several plugins; the
// runtime's Prometheus plugin is `prometheus.ts`.

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

/** How operations are named in labels (`operationLabels`). */
export type OperationLabels = ReturnType<typeof operationLabels>;

/** The first operation name in a document's text. */
const NAMED_OPERATION = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

/**
 * Our own plugins' counters on the same `/metrics`, named here so their names
 * live in one place. Labels are bounded: outcomes, identity kinds, and operation
 * names as `operationLabels` allows them.
 */
export const gatewayCounters = {
  /** Requests refused with 429 by the rate limit (`rate-limit-budget.ts`), by identity kind. */
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
  /** Of those hits, the ones answered before the runtime (`hits-before-runtime.ts`). */
  responseCacheEarlyHits: (metrics: ServiceMetrics) =>
    metrics.counter(
      'gateway_response_cache_early_hits_total',
      'Response cache hits answered before the runtime, without parsing (also counted as hits)',
      [],
    ),
  /** Queries answered with the answer of an identical request in flight (`inflight-queries.ts`). */
  inflightShared: (metrics: ServiceMetrics) =>
    metrics.counter(
      'gateway_inflight_shared_total',
      'Queries answered with the answer of an identical query already in flight (inbound de-duplication)',
      [],
    ),
};
