import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { RedisLayer, ServiceContext, ServiceMetrics } from '@polystore/common';
import { authorizationPlugins } from './authorization.js';
import { csrfPlugins } from './csrf.js';
import { useIntrospectionCache } from './introspection-cache.js';
import { jwtAuthPlugins } from './jwt-auth.js';
import { limitPlugins, useRefusalCode } from './limits.js';
import { prometheusMetrics } from './metrics.js';
import { persistedQueries } from './persisted-queries/index.js';
import { rateLimitPlugins } from './rate-limit.js';
import { redisResponseCache } from './response-cache/index.js';
import { sharedSubscriptions } from './shared-subscriptions.js';
import { subgraphSignaturePlugins } from './subgraph-signature.js';
import { subscriptionErrorPlugins } from './subscription-errors.js';
import { tracing } from './tracing.js';
import { upstreamErrorPlugins } from './upstream-errors.js';

/** What every gateway plugin may use: the config, logs, teardown, and the shared Redis. */
export interface PluginContext extends ServiceContext {
  /**
   * The deployment's Redis (prefix `config.redis.keyPrefix`, the services' event
   * stream included), shared by every gateway replica; plugins keep their keys
   * under `<prefix>gateway:`.
   */
  redis: RedisLayer;
  /** The registry behind the gateway's `/metrics`. */
  metrics: ServiceMetrics;
}

/**
 * The gateway's plugins, in the order they run: one file per plugin in this
 * folder, each a factory taking the plugin context.
 */
export function gatewayPlugins(context: PluginContext): GatewayPlugin[] {
  const optional = (plugin: GatewayPlugin | undefined) => (plugin ? [plugin] : []);
  return [
    // First, so every request is traced and measured, refused ones included.
    ...optional(tracing(context)),
    prometheusMetrics(context),
    // Cheap refusals first: body size, then depth, aliases, tokens and cost while parsing and validating.
    ...limitPlugins(context),
    // The operation's text from its hash (APQ or the allow-list), before it is parsed.
    ...optional(persistedQueries(context) as GatewayPlugin | undefined),
    ...csrfPlugins(),
    // Identity: the claims must be on the subgraph request before it is signed.
    ...jwtAuthPlugins(context),
    // Per identity, so after the JWT plugin has verified who it is.
    ...rateLimitPlugins(context),
    ...authorizationPlugins(context),
    // A repeated introspection query answered from memory (it walks the whole schema).
    useIntrospectionCache(),
    // After authorization: a cached answer is only ever given to a caller allowed to ask.
    ...redisResponseCache(context),
    ...subgraphSignaturePlugins(context),
    // Identical subscriptions share one upstream stream (keyed after signing, so per identity).
    sharedSubscriptions(context),
    // A subgraph's coded refusal of a subscription reaches the client with its code, not masked.
    ...subscriptionErrorPlugins(),
    // A subgraph that did not answer (refused, reset, timed out): SERVICE_UNAVAILABLE naming it.
    ...upstreamErrorPlugins(),
    // Last: a code for any refusal still without one.
    useRefusalCode(),
  ];
}
