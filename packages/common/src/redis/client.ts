import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/env.js';

/** A connection to the deployment's Redis: one server (named by its URL or by Sentinels), or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** Redis Sentinels that name the primary, from REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_SENTINEL_PASSWORD. */
export interface RedisSentinels {
  sentinels: { host: string; port: number }[];
  master: string;
  password?: string;
}

/** The seed nodes of a Redis Cluster, from REDIS_CLUSTER_NODES; the client learns the rest from them. */
export interface RedisClusterNodes {
  clusterNodes: { host: string; port: number }[];
}

/** Where the deployment's Redis is when REDIS_URL does not name it: Sentinels or a Cluster's nodes. */
export type RedisTopology = RedisSentinels | RedisClusterNodes;

/** The deployment's Sentinels, or undefined when REDIS_URL names the server itself. */
export function redisSentinels({ redis }: Pick<Config, 'redis'>): RedisSentinels | undefined {
  if (redis.sentinels.length === 0) return undefined;
  return { sentinels: redis.sentinels, master: redis.sentinelMaster, password: redis.sentinelPassword };
}

/** The deployment's Sentinels or Cluster nodes; undefined when REDIS_URL names the server itself. */
export function redisTopology(config: Pick<Config, 'redis'>): RedisTopology | undefined {
  const { clusterNodes } = config.redis;
  if (clusterNodes.length === 0) return redisSentinels(config);
  if (config.redis.sentinels.length > 0) {
    throw new ConfigError('REDIS_CLUSTER_NODES and REDIS_SENTINELS name two kinds of deployment: set one of them');
  }
  return { clusterNodes };
}

/** The Redis layer's connection settings, read from the config in one place for every service and tool. */
export const redisConnection = (config: Pick<Config, 'redis'>) => ({
  url: config.redis.url,
  topology: redisTopology(config),
  eventReplicaAcks: config.redis.eventReplicaAcks,
  keyPrefix: config.redis.keyPrefix,
});

/**
 * Every Redis client of the product is made here: on the server `url` names;
 * with Sentinels, on the primary they name; with Cluster nodes, a cluster
 * client that routes each command to the master of its key's slot. With
 * either, `url` gives only the user, password (and, with Sentinels, the
 * database); its host is not used. ioredis asks the Sentinels again whenever
 * the connection drops, and a cluster client reloads the slot map on a
 * MOVED reply or a lost node, so a client follows a failover by itself.
 */
export function createRedisClient(
  url: string,
  topology: RedisTopology | undefined,
  options: RedisOptions,
): RedisClient {
  if (!topology) return new Redis(url, options);
  const parsed = new URL(url);
  const credentials = {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
  if ('clusterNodes' in topology) return createClusterClient(topology, { ...options, ...credentials });
  const db = Number(parsed.pathname.slice(1) || 0);
  return new Redis({
    ...options,
    ...credentials,
    sentinels: topology.sentinels,
    name: topology.master,
    ...(topology.password ? { sentinelPassword: topology.password } : {}),
    db: Number.isInteger(db) ? db : 0,
    // Sentinels are asked again on every reconnect; no TLS or NAT mapping here.
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}

/**
 * A cluster client with the options every node connection gets. The offline
 * queue and the reconnect delay are the cluster's own options; the rest
 * (timeouts, retries, credentials, the connection's name) go to each node.
 */
function createClusterClient({ clusterNodes }: RedisClusterNodes, options: RedisOptions): Cluster {
  const { enableOfflineQueue, retryStrategy, lazyConnect, ...nodeOptions } = options;
  return new Cluster(clusterNodes, {
    redisOptions: nodeOptions,
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    clusterRetryStrategy: (times) => (retryStrategy ? retryStrategy(times) : Math.min(times * 200, 2_000)),
  });
}
