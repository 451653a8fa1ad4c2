import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { Config, ServiceMetrics } from '@polystore/common';
import { getOperationAST } from 'graphql';
import { gatewayCounters, operationLabels } from '../metrics.js';
import { SERVED_FROM_CACHE } from './plugin.js';
import { persistedHashOf } from './response-id.js';

/** Operations remembered by hash at most (`hashLabels`); past it the oldest are forgotten. */
const MAX_HASHES = 10_000;

/**
 * The metric label of each persisted operation seen with its text, by its hash
 * and name: a hit answered before the runtime has only the hash to label it by.
 */
export function hashLabels() {
  const labels = new Map<string, string>();
  const keyOf = (hash: string, operationName: string | null | undefined) => `${hash}\n${operationName ?? ''}`;
  return {
    remember(hash: string, operationName: string | null | undefined, label: string) {
      const key = keyOf(hash, operationName);
      if (labels.get(key) === label) return;
      labels.delete(key);
      labels.set(key, label);
      if (labels.size > MAX_HASHES) labels.delete(labels.keys().next().value!);
    },
    recall: (hash: string, operationName: string | null | undefined) => labels.get(keyOf(hash, operationName)),
  };
}
export type HashLabels = ReturnType<typeof hashLabels>;

/**
 * Counts response-cache hits and misses per operation (its name where the
 * gateway knows every operation, else `other`: see `operationLabels`). A hit
 * is answered before parsing (the cache plugin's `onParams`) and recognised in
 * the result, labelled from the operation's text; a miss is a query that
 * reaches execution. Queries never cached (errors, introspection) count as
 * misses: every query that cost the subgraphs.
 */
export function useResponseCacheMetrics(metrics: ServiceMetrics, config: Config, byHash: HashLabels): GatewayPlugin {
  const lookups = gatewayCounters.responseCacheLookups(metrics);
  const labels = operationLabels(config);
  const operationNames = new WeakMap<Request, string>();
  return {
    onParams({ params, request }) {
      // Over graphql-ws there is no request object to key by (and a hit is never served there).
      if (typeof request !== 'object' || request === null) return;
      const label = labels.ofText(params.query, params.operationName);
      operationNames.set(request, label);
      const hash = persistedHashOf(params);
      if (hash !== undefined && params.query) byHash.remember(hash, params.operationName, label);
    },
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      lookups.inc({ operationName: labels.ofDocument(args.document, args.operationName), result: 'miss' });
    },
    onResultProcess({ request, result }) {
      if (Array.isArray(result) || !(result as Record<symbol, unknown>)[SERVED_FROM_CACHE]) return;
      lookups.inc({ operationName: operationNames.get(request) ?? labels.ofText(undefined), result: 'hit' });
    },
  };
}
