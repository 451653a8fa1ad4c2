import type { RedisClient } from './client.js';
import { scanKeys, unlinkScanned } from './slots.js';
import type { Logger } from '../logger.js';

const FLUSH_BATCH = 500;
const RETRY_MS = 1_000;

/**
 * Keeps a service's cache reads away from entries an outage may have left
 * stale. While Redis is unreachable, writes still commit but their
 * invalidations fail; when Redis comes back (restarted from its append-only
 * file, or a partition heals) the old entries are there again. So the cache
 * under `prefix` is closed from the moment the connection drops, or an
 * invalidation fails, until every key under the prefix has been deleted on
 * the connection that answers now: until then reads are misses and fills are
 * skipped, and the stores serve.
 *
 * Why a flush and not an epoch in the keys or a replay of queued
 * invalidations: with several replicas, the replica that comes back first
 * cannot know what another replica wrote while it could not reach Redis (a
 * replay would come too late, from a replica that may be dead), and an epoch
 * only helps a replica that reads it before every lookup. A flush by whoever
 * reconnects removes every entry older than the reconnection, for all
 * replicas; each replica also flushes at its first connection, which covers a
 * process that wrote during an outage and was restarted before Redis came back.
 * The cost is a cold cache after each outage or start.
 */
export class CacheFence {
  private open = false;
  /** Bumped whenever the cache closes: a fill that read before it may carry what a lost invalidation made stale. */
  private generation = 0;
  private flushes = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    redis.on('ready', () => this.reopen());
    redis.on('close', () => this.close());
    if (redis.status === 'ready') this.reopen();
  }

  /** Whether reads may use the cache now. */
  get isOpen(): boolean {
    return this.open;
  }

  /** A mark taken before a read; `accepts(mark)` says whether a fill from that read may be stored. */
  mark(): number {
    return this.generation;
  }

  accepts(mark: number | undefined): boolean {
    return this.open && (mark === undefined || mark === this.generation);
  }

  /** An invalidation did not reach Redis: close until a flush has removed what it should have. */
  breached(): void {
    this.close();
    if (this.redis.status === 'ready') this.reopen();
  }

  private close() {
    this.open = false;
    this.generation++;
  }

  private reopen() {
    const generation = ++this.generation;
    void this.flush(generation);
  }

  /** Deletes every key under the prefix, then opens the cache, unless it closed again meanwhile. */
  private async flush(generation: number): Promise<void> {
    const current = () => generation === this.generation && this.redis.status === 'ready';
    while (current()) {
      try {
        let removed = 0;
        // Every master of a cluster, in turn.
        for await (const page of scanKeys(this.redis, `${globEscape(this.prefix)}*`, FLUSH_BATCH)) {
          removed += await unlinkScanned(page);
          if (!current()) return;
        }
        if (!current()) return;
        this.open = true;
        // The first flush of a process is routine; a later one follows an outage.
        const level = this.flushes++ === 0 ? 'debug' : 'info';
        this.log[level](
          { prefix: this.prefix, removed },
          'entity cache emptied after reconnecting to Redis; reads use it again',
        );
        return;
      } catch (err) {
        this.log.warn(
          { err, prefix: this.prefix },
          'entity cache flush failed; reads skip the cache until it succeeds',
        );
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }
}

/** Text as a literal in a glob pattern (SCAN MATCH, ACL key and channel patterns). */
export const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
