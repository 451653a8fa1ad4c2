import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { Config, ServiceMetrics } from '@polystore/common';
import { getOperationAST } from 'graphql';
import { gatewayCounters, operationLabels } from '../metrics.js';
import { SERVED_FROM_CACHE } from './plugin.js';

/**
 * Counts response-cache hits and misses per operation (its name where the
 * gateway knows every operation, else `other`: see `operationLabels`). A hit
 * is answered before parsing (the cache plugin's `onParams`) and recognised in
 * the result, labelled from the operation's text; a miss is a query that
 * reaches execution. Queries never cached (errors, introspection) count as
 * misses: every query that cost the subgraphs.
 */
export function useResponseCacheMetrics(metrics: ServiceMetrics, config: Config): GatewayPlugin {
  const lookups = gatewayCounters.responseCacheLookups(metrics);
  const labels = operationLabels(config);
  const operationNames = new WeakMap<Request, string>();
  return {
    onParams({ params, request }) {
      // Over graphql-ws there is no request object to key by (and a hit is never served there).
      if (typeof request === 'object' && request !== null)
        operationNames.set(request, labels.ofText(params.query, params.operationName));
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
