import { Redis } from 'ioredis';
import { globEscape } from './cache-fence.js';
import { redisKeys } from './keys.js';

/**
 * The services that connect to Redis, each as an ACL user of its own, and
 * the namespace its own keys live under (`<prefix><namespace>:`, the entity
 * cache of `connectServiceCache`; the gateway's response cache, persisted
 * queries and rate limit). The key layout is in docs/architecture.md, "Redis
 * keys and who may touch them".
 */
export const REDIS_SERVICES = {
  sql: { namespace: 'sql', subgraph: true },
  mongo: { namespace: 'mongo', subgraph: true },
  storage: { namespace: 's3', subgraph: true },
  gateway: { namespace: 'gateway', subgraph: false },
} as const;

export type RedisService = keyof typeof REDIS_SERVICES;

export interface RedisServiceUser {
  service: RedisService;
  name: string;
  password: string;
}

/** ACL users are server-wide: the name follows the deployment's key prefix (`polystore:` gives `polystore-sql`). */
export const redisUserName = (keyPrefix: string, service: RedisService) =>
  `${keyPrefix.replace(/:$/, '') || 'polystore'}-${service}`;

/**
 * What a service may do, as `ACL SETUSER` rules (also an ACL file's `user`
 * line): the read, write, stream and transaction commands, SCAN (the
 * cache fence's flush), INFO (ioredis's ready check), CLUSTER SLOTS and CLUSTER
 * INFO (a cluster client's slot map and ready check; read-only), and Lua for the gateway
 * (its response cache); nothing dangerous or administrative (FLUSHALL,
 * FLUSHDB, CONFIG, KEYS, SHUTDOWN, DEBUG, ACL, MONITOR), no FUNCTION (server-wide
 * code). Keys: its own namespace, the shared event stream and its dead
 * letters, and for subgraphs the shared nonces; no pub/sub channel (live
 * subscriptions follow the stream).
 */
export function redisAclRules(keyPrefix: string, service: RedisService, password: string): string[] {
  const { namespace, subgraph } = REDIS_SERVICES[service];
  const keys = redisKeys(keyPrefix);
  return [
    'reset',
    'on',
    `>${password}`,
    ...['+@read', '+@write', '+@stream', '+@transaction', '+@connection'],
    ...['-@dangerous', '-@admin', '+info', '-function', '+cluster|slots', '+cluster|info'],
    ...(service === 'gateway' ? ['+eval', '+evalsha'] : []),
    // Already excluded by the categories; named so a change of category cannot let them in.
    ...['-flushall', '-flushdb', '-config', '-keys', '-shutdown', '-debug', '-acl', '-monitor'],
    `~${globEscape(keys.namespace(namespace))}*`,
    `~${globEscape(keys.eventStream)}*`,
    ...(subgraph ? [`~${globEscape(keys.nonce(''))}*`] : []),
  ];
}

/** One user per service under `keyPrefix`, with the passwords given (the launcher's and tests' generated ones). */
export function redisServiceUsers(keyPrefix: string, password: (service: RedisService) => string): RedisServiceUser[] {
  return (Object.keys(REDIS_SERVICES) as RedisService[]).map((service) => ({
    service,
    name: redisUserName(keyPrefix, service),
    password: password(service),
  }));
}

/** As a user allowed to administer ACLs (the default user of a server we run): creates or replaces the users. */
export async function createRedisUsers(admin: Redis, keyPrefix: string, users: RedisServiceUser[]): Promise<void> {
  for (const { name, service, password } of users) {
    await admin.call('ACL', 'SETUSER', name, ...redisAclRules(keyPrefix, service, password));
  }
}

export async function deleteRedisUsers(admin: Redis, users: RedisServiceUser[]): Promise<void> {
  if (users.length > 0) await admin.call('ACL', 'DELUSER', ...users.map(({ name }) => name));
}

/** `url` with a user's credentials, as that service's REDIS_URL. */
export function redisUrlAs(url: string, user: { name: string; password: string }): string {
  const withUser = new URL(url);
  withUser.username = encodeURIComponent(user.name);
  withUser.password = encodeURIComponent(user.password);
  return withUser.toString();
}

/** Each service's REDIS_URL: the server at `url`, as that service's user. */
export const redisServiceUrls = (url: string, users: RedisServiceUser[]) =>
  Object.fromEntries(users.map((user) => [user.service, redisUrlAs(url, user)])) as Record<RedisService, string>;

/**
 * On a fresh server we run (the launcher's private Redis, whose default user
 * has no password yet): an ACL user per service, then a password on the
 * default user, so only the launcher and its tools keep every command.
 */
export async function lockRedisServer(
  url: string,
  keyPrefix: string,
  users: RedisServiceUser[],
  adminPassword: string,
): Promise<void> {
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    await createRedisUsers(admin, keyPrefix, users);
    await admin.call('ACL', 'SETUSER', 'default', 'resetpass', `>${adminPassword}`);
  } finally {
    admin.disconnect();
  }
}
