import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { RedisLayer, ServiceContext } from '@polystore/common';
import { authorizationPlugins } from './authorization.js';
import { csrfPlugins } from './csrf.js';
import { jwtAuthPlugins } from './jwt-auth.js';
import { limitPlugins, useRefusalCode } from './limits.js';
import { rateLimitPlugins } from './rate-limit.js';
import { subgraphSignaturePlugins } from './subgraph-signature.js';

/** What every gateway plugin may use: the config, logs, teardown, and the shared Redis. */
export interface PluginContext extends ServiceContext {
  /** Shared by every gateway replica (persisted queries, response cache, rate limits). */
  redis: RedisLayer;
}

/**
 * The gateway's plugins, in the order they run: one file per plugin in this
 * folder, each a factory taking the plugin context.
 */
export function gatewayPlugins(context: PluginContext): GatewayPlugin[] {
  return [
    // Cheap refusals first: body size, then depth, aliases, tokens and cost while parsing and validating.
    ...limitPlugins(context),
    ...csrfPlugins(),
    // Identity: the claims must be on the subgraph request before it is signed.
    ...jwtAuthPlugins(context),
    // Per identity, so after the JWT plugin has verified who it is.
    ...rateLimitPlugins(context),
    ...authorizationPlugins(context),
    ...subgraphSignaturePlugins(context),
    // Last: a code for any refusal still without one.
    useRefusalCode(),
  ];
}
