import type { RedisLayer, ServiceContext, ServiceMetrics } from '@polystore/common';

/**
 * What the gateway's plugins are built from: the config, logs, teardown, the
 * shared Redis and `/metrics`. The list (`index.ts`) takes it whole and hands
 * each plugin only the options it needs.
 */
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
