import type { ServerResponse } from 'node:http';
import type { Config, ServiceMetrics } from '@polystore/common';
import { gatewayCounters, operationLabels } from '../metrics.js';
import { spentBeforeRuntime, type EarlyOperation, type EarlyRequest } from '../early-request.js';
import type { SpendBudget } from '../rate-limit-budget.js';
import type { HashLabels } from './metrics.js';
import type { RedisResponseStore } from './redis-store.js';
import {
  LOOKED_UP_BEFORE_RUNTIME,
  persistedHashOf,
  responseId,
  type IdScope,
  type RequestedOperation,
} from './response-id.js';

export interface HitsBeforeRuntimeOptions {
  config: Config;
  store: RedisResponseStore;
  scope: IdScope;
  labels: HashLabels;
  spend: SpendBudget | undefined;
  metrics: ServiceMetrics;
  /** How often the runtime looks for a new supergraph (0: never); it looks only when it serves a request. */
  supergraphPollMs: number;
}

/**
 * Answers response-cache hits in the Node request listener, before the
 * runtime builds a Fetch request, runs its plugins and parses anything: the
 * JSON bytes stored are sent as they are. A hit is answered only for an
 * operation read before the runtime (`early-request.ts`: where the runtime
 * would have sent the same bytes after the same checks), with the caller's
 * rate-limit budget spent. The id it looks up (`responseId`) names the
 * supergraph, the admission settings, the operation, its variables and the
 * caller's Authorization header, so the answer was made for an identical
 * request admitted under the same settings. A miss or a refusal goes on to
 * the runtime (the lookup and the budget not repeated there); so does one
 * request per supergraph poll interval, since the runtime looks for a new
 * supergraph only when it serves one. Resolves true when it answered.
 */
export function hitsBeforeRuntime(options: HitsBeforeRuntimeOptions) {
  const { config, store, scope, labels: byHash, spend, metrics, supergraphPollMs } = options;
  const lookups = gatewayCounters.responseCacheLookups(metrics);
  const early = gatewayCounters.responseCacheEarlyHits(metrics);
  early.inc(0);
  const labels = operationLabels(config);
  /** The label the runtime would count this operation's hit by; undefined for a hash not seen with its text yet. */
  const labelOf = (operation: RequestedOperation) => {
    const { query, operationName } = operation;
    const hash = persistedHashOf(operation);
    if (query || hash === undefined) return labels.ofText(query ?? undefined, operationName);
    return byHash.recall(hash, operationName);
  };
  let runtimeServedAt = Date.now();
  const runtimeDueToPoll = () => {
    if (supergraphPollMs <= 0 || Date.now() - runtimeServedAt < supergraphPollMs) return false;
    runtimeServedAt = Date.now();
    return true;
  };
  return async function answerHit(req: EarlyRequest, res: ServerResponse, asked: EarlyOperation): Promise<boolean> {
    const { supergraph, settings } = scope;
    const { operation, document, authorization, claims, mediaType } = asked;
    // A text with its hash is an APQ registration, or a text the allow-list may refuse: the runtime decides.
    if (runtimeDueToPoll() || supergraph === undefined || (document.startsWith('hash:') && operation.query))
      return false;
    const label = labelOf(operation);
    if (label === undefined) return false;
    const id = responseId({ supergraph, settings }, document, operation, authorization ?? null);
    const [raw, refused] = await Promise.all([store.read(id), spentBeforeRuntime(spend, req, claims)]);
    if (raw === undefined || refused) {
      req[LOOKED_UP_BEFORE_RUNTIME] = id;
      return false;
    }
    lookups.inc({ operationName: label, result: 'hit' });
    early.inc();
    res.writeHead(200, { 'content-type': `${mediaType}; charset=utf-8`, 'content-length': raw.length });
    res.end(raw);
    return true;
  };
}
