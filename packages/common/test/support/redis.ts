import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  createRedisUsers,
  deleteRedisUsers,
  redisServiceUrls,
  redisServiceUsers,
  type RedisService,
} from '../../src/index.js';
import type { Disposable } from './lifetimes.js';

export const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A key prefix of its own on the test server, and an ACL user per service
 * under it (users are server-wide: their names follow the prefix), as
 * `npm start` creates them: `serviceUrls` connects each service as its user,
 * restricted to the keys and commands it needs; `url` is the default user,
 * for tests that inspect or break what the services cannot.
 */
export async function testRedis(): Promise<
  Disposable & { url: string; keyPrefix: string; serviceUrls: Record<RedisService, string> }
> {
  const keyPrefix = `${uniqueName('test')}:`;
  const users = redisServiceUsers(keyPrefix, () => randomBytes(18).toString('base64url'));
  const admin = new Redis(TEST_REDIS_URL);
  try {
    await createRedisUsers(admin, keyPrefix, users);
  } finally {
    await admin.quit();
  }
  return {
    url: TEST_REDIS_URL,
    keyPrefix,
    serviceUrls: redisServiceUrls(TEST_REDIS_URL, users),
    async dispose() {
      const redis = new Redis(TEST_REDIS_URL);
      await deleteRedisUsers(redis, users);
      let cursor = '0';
      // Bounded: a test writes at most a few thousand keys.
      for (let round = 0; round < 10_000; round++) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
      await redis.quit();
    },
  };
}
