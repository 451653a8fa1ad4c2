import { Redis } from 'ioredis';
import { redisTopology, type Config } from '@polystore/common';

/** One Redis server of the deployment. */
export interface RedisNode {
  host: string;
  port: number;
  role: 'master' | 'replica';
}

/** A short-lived connection that fails fast: a tool, not a service. */
const connectTo = (options: { host: string; port: number; username?: string; password?: string }) =>
  new Redis({
    ...options,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    lazyConnect: true,
    retryStrategy: () => null,
  });

/** The user and password of a Redis URL (the administrator's, for a tool). */
export function credentialsOf(url: string): { username?: string; password?: string } {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

/** Runs `use` on a connection to one server, then closes it. */
export async function onServer<T>(
  server: { host: string; port: number },
  credentials: { username?: string; password?: string },
  use: (redis: Redis) => Promise<T>,
): Promise<T> {
  const redis = connectTo({ ...server, ...credentials });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * Every server of the deployment that must hold the services' users. ACL users
 * live in each server: a replica does not get them from its primary, and a
 * Redis Cluster does not pass them between nodes; so with Sentinels it is the
 * primary and every replica they know, in a cluster every master and replica
 * (`CLUSTER NODES` from the first seed node that answers, failed ones left out).
 */
export async function deploymentNodes(config: Config): Promise<RedisNode[]> {
  const url = config.redis.url;
  if (!url) throw new Error('REDIS_URL is not set: it gives the administrator who creates the users');
  const topology = redisTopology(config);
  const credentials = credentialsOf(url);
  if (!topology) {
    const { hostname, port } = new URL(url);
    return [{ host: hostname, port: Number(port || 6379), role: 'master' }];
  }
  if ('clusterNodes' in topology) {
    for (const seed of topology.clusterNodes) {
      const listed = await onServer(seed, credentials, (redis) => redis.cluster('NODES') as Promise<string>).catch(
        () => undefined,
      );
      if (listed !== undefined) return clusterNodes(listed);
    }
    throw new Error('no node of REDIS_CLUSTER_NODES answered');
  }
  const sentinelAuth = topology.password ? { password: topology.password } : {};
  for (const sentinel of topology.sentinels) {
    const found = await onServer(sentinel, sentinelAuth, async (redis) => {
      const primary = fields((await redis.call('SENTINEL', 'MASTER', topology.master)) as string[]);
      const replicas = ((await redis.call('SENTINEL', 'REPLICAS', topology.master)) as string[][]).map(fields);
      return [primary, ...replicas.filter((replica) => !/s_down|o_down|disconnected/.test(replica.flags ?? ''))].map(
        (node): RedisNode => ({
          host: node.ip!,
          port: Number(node.port),
          role: /master/.test(node.flags ?? '') ? 'master' : 'replica',
        }),
      );
    }).catch(() => undefined);
    if (found) return found;
  }
  throw new Error(`no sentinel of REDIS_SENTINELS answered for ${topology.master}`);
}

/** The masters and replicas of `CLUSTER NODES` (`<id> <ip:port@bus> <flags> …`), without failed ones. */
function clusterNodes(listed: string): RedisNode[] {
  return listed
    .split('\n')
    .filter(Boolean)
    .flatMap((line): RedisNode[] => {
      const [, address, flags = ''] = line.split(' ');
      if (/fail|noaddr|handshake/.test(flags)) return [];
      const [hostPort] = address!.split('@');
      const at = hostPort!.lastIndexOf(':');
      return [
        {
          host: hostPort!.slice(0, at),
          port: Number(hostPort!.slice(at + 1)),
          role: flags.includes('master') ? 'master' : 'replica',
        },
      ];
    });
}

/** A flat [name, value, name, value, …] reply as an object. */
function fields(reply: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) result[reply[i]!] = reply[i + 1]!;
  return result;
}
