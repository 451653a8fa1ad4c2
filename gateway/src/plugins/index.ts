import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { useArmorLimits } from './armor-limits.js';
import { useAuthorization } from './authorization.js';
import { useBodyLimit } from './body-limit.js';
import { useCostLimit } from './cost-limit.js';
import { useCsrfPrevention } from './csrf.js';
import { useDocumentLimits } from './document-limits.js';
import { useIntrospectionCache } from './introspection-cache.js';
import { useJwtAuth } from './jwt-auth.js';
import { operationLabels } from './metrics.js';
import { usePersistedQueries } from './persisted-queries/index.js';
import type { PluginContext } from './plugin-context.js';
import { usePrometheusMetrics } from './prometheus.js';
import type { SpendBudget } from './rate-limit-budget.js';
import { useRateLimit } from './rate-limit.js';
import { useRefusalCode } from './refusal-code.js';
import {
  responseLifetimes,
  useCachedResponses,
  useReadYourWrites,
  useResponseCacheMetrics,
  type ResponseCache,
} from './response-cache/index.js';
import { useSigningStamp } from './signing-stamp.js';
import { useSubgraphSignature } from './subgraph-signature.js';
import { useSharedSubscriptions } from './subscriptions/shared-subscriptions.js';
import { useSubscriptionErrors } from './subscriptions/subscription-errors.js';
import { useTracing } from './tracing.js';
import { useUnauthenticatedCode } from './unauthenticated-code.js';
import { useUpstreamErrors } from './upstream-errors.js';
import { useUpstreamTimeout } from './upstream-timeout.js';
import { useWholeAnswers } from './whole-answers.js';
import type { VerifiedTokens } from './verified-tokens.js';
import type { WritesBegun } from './writes-begun.js';

/**
 * The gateway's plugins, in the order they run: one `useX(options)` per file in
 * this folder, each given only what it needs from the context. A plugin that is
 * off (by its configuration) is undefined and left out. What one gateway shares
 * between several plugins is made by `server.ts` and given here: `spend`, the
 * rate limit's budget (`rateLimitBudget`), `responseCache`, the response
 * store and its ids' scope (`openResponseCache`; undefined when off), and
 * `tokens`, the tokens the JWT plugin verified (`verifiedTokens`),
 * `writes`, the mutations begun here (`writesBegun`), and `inflight`, the identical queries in flight (`inflightQueries`; undefined
 * when off), whose plugin learns which documents are queries. The answers
 * given before the runtime (`early-answers.ts`) share them.
 */
export function gatewayPlugins(
  context: PluginContext,
  {
    spend,
    responseCache,
    tokens,
    writes,
    inflight,
  }: {
    spend: SpendBudget | undefined;
    responseCache: ResponseCache | undefined;
    tokens: VerifiedTokens;
    writes: WritesBegun;
    inflight: { plugin: GatewayPlugin } | undefined;
  },
): GatewayPlugin[] {
  const { config, log, redis, metrics } = context;
  const { auth, gateway } = config;
  const plugins: (GatewayPlugin | undefined)[] = [
    // First, so every request is traced and measured, refused ones included.
    useTracing(config.tracing),
    usePrometheusMetrics({ registry: metrics.registry, labels: operationLabels(config) }),
    // Cheap refusals first: body size; then tokens, fields, repeats, fragments, variables and directives
    // while parsing (linear in the document, before graphql-js validation); then depth and aliases while
    // validating; the estimated cost after authorization, before planning (`cost-limit.ts`).
    useBodyLimit(gateway.limits.maxBodyBytes),
    useDocumentLimits(gateway.limits),
    useArmorLimits({
      maxDepth: gateway.limits.maxDepth,
      maxAliases: gateway.limits.maxAliases,
      // Field suggestions ("Did you mean …?") would reveal the schema introspection hides.
      hideFieldSuggestions: !gateway.introspection,
    }),
    // The operation's text from its hash (APQ or the allow-list), before it is parsed.
    usePersistedQueries({ ...gateway.persistedQueries, redis, log }),
    useCsrfPrevention(),
    // Identity: the claims must be on the subgraph request before it is signed.
    useJwtAuth(auth, spend, tokens),
    useUnauthenticatedCode(auth),
    // Per identity, so after the JWT plugin has verified who it is.
    useRateLimit(spend),
    useAuthorization(auth),
    // The estimated cost, by the caller's budget (smaller without a token), before anything is planned.
    useCostLimit({
      maxCost: gateway.limits.maxCost,
      maxAnonymousCost: gateway.limits.maxAnonymousCost,
      maxAnonymousFetches: gateway.limits.maxAnonymousFetches,
      maxAnonymousFields: gateway.limits.maxAnonymousFields,
      defaultListSize: gateway.limits.defaultListSize,
    }),
    // @defer/@stream ignored for a client that takes one JSON answer, and in mutations (their answer invalidates).
    useWholeAnswers(),
    // A repeated introspection query answered from memory (it walks the whole schema).
    useIntrospectionCache(),
    // After authorization: a cached answer is only ever given to a caller allowed to ask. The metrics first:
    // a hit ends the request in the cache plugin's `onParams`, before later plugins see its params.
    ...(responseCache
      ? [
          useResponseCacheMetrics(metrics, config, responseCache.labels),
          useCachedResponses({ cache: responseCache.store, scope: responseCache.scope, ...responseLifetimes(config) }),
          useReadYourWrites(responseCache.store),
        ]
      : []),
    // Which documents run as queries (they may share an answer in flight).
    inflight?.plugin,
    // Mutations begun, on each query's subgraph requests: de-duplication never shares an answer from before one.
    writes.plugin,
    // The signing time and a mutation's nonce, then the signature that covers them.
    useSigningStamp(auth.subgraphSecret),
    useSubgraphSignature(auth.subgraphSecret),
    // Identical subscriptions share one upstream stream (keyed after signing, so per identity).
    useSharedSubscriptions(metrics),
    // A subgraph's coded refusal of a subscription reaches the client with its code, not masked.
    useSubscriptionErrors(),
    // A subgraph that hangs costs its part of the answer; inside the next, which names it to the client.
    useUpstreamTimeout(gateway.upstreamTimeoutMs),
    // A subgraph that did not answer (refused, reset, timed out): SERVICE_UNAVAILABLE naming it.
    useUpstreamErrors(),
    // Last: a code for any refusal still without one.
    useRefusalCode(),
  ];
  return plugins.filter((plugin): plugin is GatewayPlugin => plugin !== undefined);
}
