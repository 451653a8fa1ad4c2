import type { Logger } from '../logger.js';
import type { EntityCache } from './entity-cache.js';
import type { CacheFence } from './cache-fence.js';
import type { RedisClient } from './client.js';
import { slotGroups } from './slots.js';

/**
 * A rate-limit window's count in one command: the window starts if absent, is
 * counted, and what is left of it is read. (A MULTI of the three costs the
 * client five commands' work per request; this is one.)
 */
const HIT_SCRIPT = `redis.call('SET', KEYS[1], '0', 'PX', ARGV[1], 'NX')
return { redis.call('INCR', KEYS[1]), redis.call('PTTL', KEYS[1]) }`;

/**
 * Redis-backed cache. Failures are logged (at most once per 10 s) and read as
 * misses. With a fence (an entity cache), reads and fills wait for the flush
 * that follows every (re)connection, and a failed invalidation calls for one.
 * Entities are spread over a cluster's slots, so on a cluster each multi-key
 * command is sent once per slot (`slotGroups`), all at once.
 */
export class RedisCache implements EntityCache {
  private lastWarning = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly log: Logger,
    private readonly fence?: CacheFence,
  ) {}

  mark(): number {
    return this.fence?.mark() ?? 0;
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    if (this.fence && !this.fence.isOpen) return keys.map(() => null);
    try {
      const found = new Map<string, string | null>();
      await Promise.all(
        slotGroups(this.redis, keys).map(async (group) => {
          const values = await this.redis.mget(...group);
          group.forEach((key, i) => found.set(key, values[i] ?? null));
        }),
      );
      return keys.map((key) => found.get(key) ?? null);
    } catch (err) {
      this.warn(err, 'cache read failed; reading from the store');
      return keys.map(() => null);
    }
  }

  async setMany(entries: readonly (readonly [string, string])[], ttlSeconds: number, mark?: number): Promise<void> {
    if (entries.length === 0) return;
    if (this.fence && !this.fence.accepts(mark)) return;
    try {
      const values = new Map(entries);
      await Promise.all(
        slotGroups(this.redis, [...values.keys()]).map((group) => {
          const pipeline = this.redis.pipeline();
          for (const key of group) pipeline.set(key, values.get(key)!, 'EX', ttlSeconds);
          return pipeline.exec();
        }),
      );
    } catch (err) {
      this.warn(err, 'cache write failed');
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await Promise.all(slotGroups(this.redis, keys).map((group) => this.redis.del(...group)));
    } catch (err) {
      // Without a fence a stale entry outlives a failed delete until its TTL; with one, until the flush.
      this.fence?.breached();
      this.warn(err, 'cache invalidation failed');
    }
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number } | null> {
    try {
      const reply = (await this.redis.eval(HIT_SCRIPT, 1, key, windowMs)) as [number, number];
      const [count = NaN, ttl = NaN] = reply.map(Number);
      if (!Number.isFinite(count)) return null;
      return { count, resetInMs: ttl > 0 ? ttl : windowMs };
    } catch (err) {
      this.warn(err, 'rate-limit count failed; letting the request through');
      return null;
    }
  }

  private warn(err: unknown, message: string) {
    const now = Date.now();
    if (now - this.lastWarning < 10_000) return;
    this.lastWarning = now;
    this.log.warn({ err }, message);
  }
}
