import { randomBytes } from 'node:crypto';
import {
  createRedisUsers,
  redisServiceUrls,
  redisServiceUsers,
  type Config,
  type Logger,
  type RedisService,
} from '@polystore/common';
import { credentialsOf, deploymentNodes, onServer, type RedisNode } from './nodes.js';

/** A password for a service user: 256 bits, URL-safe. */
export const newRedisPassword = () => randomBytes(32).toString('base64url');

/**
 * Creates (or updates) the four services' ACL users under the deployment's key
 * prefix on every server that must hold them (`deploymentNodes`), as the
 * administrator REDIS_URL names. `passwords` gives each service's; returns the
 * servers done and each service's REDIS_URL (REDIS_URL's address, the
 * service's user), to hand to that service only. Fails, naming the server,
 * if one refuses: a server left without the users would refuse the services
 * after a failover to it.
 */
export async function provisionRedisUsers({
  config,
  passwords,
  log,
}: {
  config: Config;
  passwords: Record<RedisService, string>;
  log: Logger;
}): Promise<{ nodes: RedisNode[]; serviceUrls: Record<RedisService, string> }> {
  const nodes = await deploymentNodes(config);
  const { keyPrefix } = config.redis;
  const users = redisServiceUsers(keyPrefix, (service) => passwords[service]);
  const admin = credentialsOf(config.redis.url!);
  for (const node of nodes) {
    await onServer(node, admin, (redis) => createRedisUsers(redis, keyPrefix, users)).catch((err: Error) => {
      throw new Error(`${node.host}:${node.port} (${node.role}) refused the users: ${err.message}`);
    });
    log.info({ node: `${node.host}:${node.port}`, role: node.role }, 'service users set');
  }
  return { nodes, serviceUrls: redisServiceUrls(withoutCredentials(config.redis.url!), users) };
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
