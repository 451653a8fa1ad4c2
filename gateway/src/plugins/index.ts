import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { RedisLayer, ServiceContext, ServiceMetrics } from '@polystore/common';
import { prometheusMetrics } from './metrics.js';
import { persistedQueries } from './persisted-queries/index.js';
import { redisResponseCache } from './response-cache/index.js';

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
  return [prometheusMetrics(context), persistedQueries(context), redisResponseCache(context)].filter(
    (plugin) => plugin !== undefined,
  ) as GatewayPlugin[];
}
