import type { Logger } from '../logger.js';
import type { DomainEvent, PositionedEvent } from './stream-event.js';

/** How a tail reads its stream: a blocking read of what follows a position, and where the stream ends now. */
export interface TailSource {
  /** The position of the newest event (`0-0` when the stream is empty). */
  newest(): Promise<string>;
  /** Events after `position`, oldest first; waits up to `blockMs` for one when there is none. */
  read(position: string, blockMs: number): Promise<PositionedEvent[]>;
}

/** One follower of the tail: every event appended after `from`, in stream order, each once. */
export interface Follower {
  /** The position after which this follower hears every event. */
  from: Promise<string>;
  /** The next events (at least one); rejects once the follower fell too far behind. */
  next(): Promise<PositionedEvent[]>;
  close(): void;
}

/** Events a follower may have waiting before it is dropped (it then resumes from the stream, as after a drop). */
const MAX_WAITING = 10_000;
/** Event ids remembered to drop a second append of an event (the outbox relay's at-least-once). */
const RECENT_IDS = 10_000;
const BLOCK_MS = 1_000;

/**
 * The live end of the durable stream, read once per process for all its live
 * subscriptions: one blocking read at a time, only while someone follows.
 * Reading the stream itself rather than a pub/sub channel leaves no window: an
 * event is live for every replica as soon as it is appended, whichever process
 * appended it and whether or not that process lived on, and a Redis outage
 * delays events instead of dropping them (the read resumes from its position).
 */
export class StreamTail {
  private readonly listeners = new Set<(batch: PositionedEvent[]) => void>();
  private position: string | undefined;
  private started: Promise<string> | undefined;
  private running = false;
  private readonly recentIds = new Set<string>();

  constructor(
    private readonly source: TailSource,
    private readonly log?: Logger,
  ) {}

  /** Followers that hear every event from now on (those still waiting for the stream's end are not counted). */
  followers(): number {
    return this.position === undefined ? 0 : this.listeners.size;
  }

  follow(): Follower {
    const waiting: PositionedEvent[] = [];
    let wake: (() => void) | undefined;
    let overflowed = false;
    const listener = (batch: PositionedEvent[]) => {
      if (overflowed) return;
      waiting.push(...batch);
      if (waiting.length > MAX_WAITING) {
        overflowed = true;
        waiting.length = 0;
      }
      wake?.();
    };
    this.listeners.add(listener);
    const from = this.position !== undefined ? Promise.resolve(this.position) : this.start();
    return {
      from,
      next: async () => {
        await from;
        while (waiting.length === 0 && !overflowed) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (overflowed) throw new Error(`live subscription fell more than ${MAX_WAITING} events behind`);
        return waiting.splice(0);
      },
      close: () => {
        this.listeners.delete(listener);
      },
    };
  }

  /** Finds where the stream ends (once for concurrent followers, retried while Redis is away), then reads on. */
  private start(): Promise<string> {
    this.started ??= (async () => {
      let position: string | undefined;
      for (let failures = 1; position === undefined; failures++) {
        try {
          position = await this.source.newest();
        } catch (err) {
          // Nobody left to wait for it: the loop below ends at once.
          if (this.listeners.size === 0) {
            position = '0-0';
            break;
          }
          if (failures === 1 || failures % 20 === 0)
            this.log?.warn({ err, failures }, 'live events: cannot find the end of the stream; retrying');
          await sleep(backoff(failures));
        }
      }
      this.position = position;
      this.started = undefined;
      this.run();
      return position;
    })();
    return this.started;
  }

  private run() {
    if (this.running) return;
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
      // A follower that came while the last read was ending.
      if (this.listeners.size > 0) this.run();
      else this.position = undefined;
    });
  }

  private async loop() {
    let failures = 0;
    while (this.listeners.size > 0) {
      try {
        const batch = await this.source.read(this.position!, BLOCK_MS);
        failures = 0;
        if (batch.length === 0) continue;
        this.position = batch.at(-1)!.position;
        const fresh = batch.filter(({ event }) => this.firstTime(event));
        if (fresh.length > 0) for (const follower of this.listeners) follower(fresh);
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 20 === 0)
          this.log?.warn({ err, failures }, 'live events: cannot read the stream; retrying from where it stopped');
        await sleep(backoff(failures));
      }
    }
  }

  private firstTime({ id }: DomainEvent): boolean {
    if (this.recentIds.has(id)) return false;
    this.recentIds.add(id);
    if (this.recentIds.size > RECENT_IDS) this.recentIds.delete(this.recentIds.values().next().value!);
    return true;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (failures: number) => Math.min(100 * 2 ** failures, 2_000);
