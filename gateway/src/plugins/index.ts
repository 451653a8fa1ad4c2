import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { RedisLayer, ServiceContext } from '@polystore/common';

/** What every gateway plugin may use: the config, logs, teardown, and the shared Redis. */
export interface PluginContext extends ServiceContext {
  /** Shared by every gateway replica (persisted queries, response cache, rate limits). */
  redis: RedisLayer;
}

/**
 * The gateway's plugins, in the order they run: one file per plugin in this
 * folder, each a factory taking the plugin context.
 */
export function gatewayPlugins(_context: PluginContext): GatewayPlugin[] {
  return [];
}
