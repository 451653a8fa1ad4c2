import { hostname } from 'node:os';
import type { RedisClient } from './client.js';
import type { RedisKeys } from './keys.js';
import type { Logger } from '../logger.js';
import { removeGoneConsumers } from './gone-consumers.js';
import type { DomainEvent, PositionedEvent } from './stream-event.js';
import { StreamTail, type Follower } from './stream-tail.js';
import { parseEntryEvent, redisTailSource } from './stream-entries.js';

export type { Follower } from './stream-tail.js';
export type { DomainEvent, PositionedEvent } from './stream-event.js';

/**
 * The durable event log shared by the services (a Redis stream). Appends throw
 * when Redis cannot take them, so a producer keeps its events and retries.
 */
export interface EventStream {
  /** Appends the events in order; resolves with each one's position in the stream. */
  append(events: readonly DomainEvent[]): Promise<string[]>;
  /** The newest `count` events, oldest first (for tools and tests). */
  latest(count: number): Promise<DomainEvent[]>;
  /** At most `count` events appended after `position`, oldest first, with their positions (live subscriptions' replay). */
  after(position: string, count: number): Promise<PositionedEvent[]>;
  /**
   * Every event appended from now on, by any process, in stream order, each
   * once: live subscriptions read it (one read of the stream per process,
   * shared by its followers). Close the follower when done.
   */
  follow(): Follower;
  /** Followers of this process that hear every event from now on (a gauge for operators; tests wait on it). */
  followers(): number;
  /**
   * Delivers every event, from the start of the stream, to `handle`, once per
   * consumer group across the group's replicas. An event is acknowledged when
   * `handle` resolves; if it throws (or the process dies), the event is
   * delivered again later (at most 10 times, then it goes to the
   * `<stream>:dead` stream), so handlers must be idempotent. A `DeadLetter`
   * thrown by `handle` sends the event there at once. Returns a stop function,
   * which also tells what keeps the consumer from reading (for `/ready`).
   */
  consume(group: string, handle: (event: DomainEvent) => Promise<void>, options: ConsumeOptions): StopConsumer;
}

/** Stops a consumer; `problem()` is why it cannot read the stream now, undefined while it can. */
export type StopConsumer = (() => Promise<void>) & { problem(): string | undefined };

export interface ConsumeOptions {
  log: Logger;
  /** How long an unacknowledged event waits before another attempt. Default 30000 ms. */
  retryAfterMs?: number;
  /**
   * A consumer of the group idle this long, with no pending event, is gone (a process
   * that stopped or died) and is removed from the group. Default 600000 ms (10 minutes).
   */
  goneAfterMs?: number;
}

/**
 * Thrown by a handler for an event that no retry can help (an unknown type, a
 * malformed payload): the event goes straight to the dead-letter stream with
 * this message as its reason.
 */
export class DeadLetter extends Error {
  override readonly name = 'DeadLetter';
}

/**
 * Bounded so Redis cannot grow without limit. Trimming ignores consumer
 * progress: a group that stays down for a million events loses the oldest.
 */
const MAX_STREAM_LENGTH = 1_000_000;
/** Deliveries of one event before it goes to the dead-letter stream. */
const MAX_ATTEMPTS = 10;
/** How long an append waits for replicas to acknowledge it (below the command timeout of 1 s). */
const REPLICA_WAIT_MS = 500;

export class RedisEventStream implements EventStream {
  /** The stream's key; its dead letters are a stream of their own (neither command touches both). */
  readonly key: string;
  private readonly deadLetters: string;
  private tail: StreamTail | undefined;

  constructor(
    private readonly redis: RedisClient,
    keys: Pick<RedisKeys, 'eventStream' | 'deadLetters'>,
    /** Opens a connection of its own for each consumer: XREADGROUP blocks it. */
    private readonly connect: () => RedisClient,
    /**
     * Replicas that must hold an append before it counts (REDIS_EVENT_REPLICA_ACKS).
     * Redis replicates asynchronously: without it, an event appended just before a
     * failover can vanish with the old primary after the outbox marked it sent.
     */
    private readonly replicaAcks = 0,
    /** Where the live tail says it cannot read the stream (consumers log through their own options). */
    private readonly log?: Logger,
  ) {
    this.key = keys.eventStream;
    this.deadLetters = keys.deadLetters;
  }

  async append(events: readonly DomainEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const event of events) {
      pipeline.xadd(this.key, 'MAXLEN', '~', MAX_STREAM_LENGTH, '*', 'event', JSON.stringify(event));
    }
    if (this.replicaAcks > 0) pipeline.wait(this.replicaAcks, REPLICA_WAIT_MS);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    const acknowledged = this.replicaAcks > 0 ? Number(results.at(-1)![1]) : 0;
    if (acknowledged < this.replicaAcks) {
      // Not marked sent: the relay appends them again (consumers are idempotent) once a replica answers.
      throw new Error(`${acknowledged} of ${this.replicaAcks} Redis replicas acknowledged the events`);
    }
    return results.slice(0, events.length).map(([, id]) => String(id));
  }

  async latest(count: number): Promise<DomainEvent[]> {
    const entries = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', count);
    return entries.reverse().map(([, fields]) => JSON.parse(fields[1]!) as DomainEvent);
  }

  async after(position: string, count: number): Promise<PositionedEvent[]> {
    // `(` excludes the position itself.
    const entries = await this.redis.xrange(this.key, `(${position}`, '+', 'COUNT', count);
    return entries.flatMap(([id, fields]) => {
      const event = parseEntryEvent(fields);
      return event ? [{ position: id, event }] : [];
    });
  }

  follow(): Follower {
    this.tail ??= this.openTail();
    return this.tail.follow();
  }

  followers(): number {
    return this.tail?.followers() ?? 0;
  }

  /** The tail reads on a connection of its own, opened on first use: XREAD blocks it. */
  private openTail(): StreamTail {
    return new StreamTail(redisTailSource(this.redis, this.connect(), this.key), this.log);
  }

  consume(
    group: string,
    handle: (event: DomainEvent) => Promise<void>,
    { log, retryAfterMs = 30_000, goneAfterMs = 600_000 }: ConsumeOptions,
  ) {
    const redis = this.connect();
    const consumer = `${hostname()}-${process.pid}`;
    const failuresByEntry = new Map<string, number>();
    let stopped = false;
    let failures = 0;
    let lastError: Error | undefined;
    let claimCursor = '0-0';
    let lastSweep = 0;

    /** Acknowledges an entry; with a reason, first keeps it, and why, in the dead-letter stream. */
    const settle = async (entryId: string, raw: string | undefined, reason?: string) => {
      if (reason !== undefined) {
        // Kept aside rather than retried for ever, so one bad event cannot stall the group.
        await redis.xadd(
          this.deadLetters,
          'MAXLEN',
          '~',
          10_000,
          '*',
          'group',
          group,
          'entry',
          entryId,
          'reason',
          reason,
          'event',
          raw ?? '',
        );
        log.error({ group, entryId, reason }, 'event moved to the dead-letter stream');
      }
      await redis.xack(this.key, group, entryId);
      failuresByEntry.delete(entryId);
    };

    const deliver = async (entries: [string, string[] | null][]) => {
      for (const [entryId, fields] of entries) {
        if (stopped) return;
        let event: DomainEvent;
        const raw = fields ? fields[fields.indexOf('event') + 1] : undefined;
        try {
          event = JSON.parse(raw ?? '') as DomainEvent;
          if (typeof event?.type !== 'string') throw new Error('not a domain event');
        } catch (err) {
          await settle(entryId, raw, `unreadable entry: ${(err as Error).message}`);
          continue;
        }
        try {
          await handle(event);
          await settle(entryId, raw);
        } catch (err) {
          if (err instanceof DeadLetter) {
            await settle(entryId, raw, err.message);
            continue;
          }
          const attempts = (failuresByEntry.get(entryId) ?? 0) + 1;
          failuresByEntry.set(entryId, attempts);
          if (attempts >= MAX_ATTEMPTS) {
            await settle(entryId, raw, `handler failed ${attempts} times: ${(err as Error).message}`);
          } else {
            // Left pending: XAUTOCLAIM hands it out again after retryAfterMs.
            log.warn({ err, group, eventId: event.id, type: event.type, attempts }, 'event handler failed; will retry');
          }
        }
      }
    };

    const loop = async () => {
      let groupReady = false;
      while (!stopped) {
        try {
          if (!groupReady) {
            // From the start of the stream: events written before this group existed count too.
            await redis.xgroup('CREATE', this.key, group, '0', 'MKSTREAM').catch((err: Error) => {
              if (!/BUSYGROUP/.test(err.message)) throw err;
            });
            groupReady = true;
          }
          // The cursor walks the whole pending list across calls, so entries behind a failing one get their turn.
          const [next, reclaimed] = (await redis.xautoclaim(
            this.key,
            group,
            consumer,
            retryAfterMs,
            claimCursor,
            'COUNT',
            50,
          )) as [string, [string, string[] | null][]];
          claimCursor = next;
          await deliver(reclaimed);
          const batch = (await redis.xreadgroup(
            'GROUP',
            group,
            consumer,
            'COUNT',
            50,
            'BLOCK',
            // Short enough that failed events are claimed again on time.
            Math.min(1_000, retryAfterMs),
            'STREAMS',
            this.key,
            '>',
          )) as [string, [string, string[]][]][] | null;
          await deliver(batch?.[0]?.[1] ?? []);
          if (Date.now() - lastSweep >= Math.min(goneAfterMs, 60_000)) {
            lastSweep = Date.now();
            await removeGoneConsumers(redis, { key: this.key, group, self: consumer, idleMs: goneAfterMs, log });
          }
          failures = 0;
        } catch (err) {
          if (stopped) return;
          failures++;
          lastError = err as Error;
          if (/NOGROUP/.test((err as Error).message)) groupReady = false;
          if (failures === 1 || failures % 20 === 0)
            log.warn({ err, group, failures }, 'event consumer cannot read the stream; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** failures, 5_000)));
        }
      }
    };

    const running = loop();
    const stop = async () => {
      stopped = true;
      // Let the event in hand finish and be acknowledged; the blocking read ends within a second.
      await running;
      await redis.quit().catch(() => redis.disconnect());
    };
    return Object.assign(stop, {
      problem: () =>
        failures > 0
          ? `consumer group ${group} cannot read the stream (${failures} attempts): ${lastError?.message}`
          : undefined,
    });
  }
}
