import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { ServiceMetrics } from '@polystore/common';
import { getOperationAST } from 'graphql';
import { gatewayCounters } from '../metrics.js';

/** Yoga's response cache marks the answers it served from the cache with this symbol. */
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

/** The first operation name in a document, without parsing it (a hit is answered before parsing). */
const NAMED_OPERATION = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

/**
 * Counts response-cache hits and misses per operation name (the request's
 * `operationName`, else the document's first). A hit is answered before
 * parsing (the cache plugin's `onParams`) and recognised in the result; a
 * miss is a query that reaches execution. Queries never cached (errors,
 * introspection) count as misses: every query that cost the subgraphs.
 */
export function responseCacheMetrics(metrics: ServiceMetrics): GatewayPlugin {
  const lookups = gatewayCounters.responseCacheLookups(metrics);
  const operationNames = new WeakMap<Request, string>();
  const nameOf = (request: Request | undefined) => (request && operationNames.get(request)) ?? 'anonymous';
  return {
    onParams({ params, request }) {
      const name = params.operationName ?? params.query?.match(NAMED_OPERATION)?.[1];
      if (name) operationNames.set(request, name);
    },
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      lookups.inc({ operationName: nameOf((args.contextValue as { request?: Request }).request), result: 'miss' });
    },
    onResultProcess({ request, result }) {
      if (Array.isArray(result) || !(result as Record<symbol, unknown>)[SERVED_FROM_CACHE]) return;
      lookups.inc({ operationName: nameOf(request), result: 'hit' });
    },
  };
}
