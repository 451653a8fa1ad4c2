import {
  DeadLetter,
  type ConsumeOptions,
  type DomainEvent,
  type EventStream,
  type PositionedEvent,
} from './event-stream.js';
import { StreamTail, type Follower } from './stream-tail.js';

/** In-process stand-in when no Redis is configured: other processes cannot read it. */
export class MemoryEventStream implements EventStream {
  private readonly events: DomainEvent[] = [];
  /** Positions as Redis writes them (`0-<n>`): the n-th event appended, counting those trimmed. */
  private appended = 0;

  /** Readers of the tail waiting for the next append. */
  private waiting: (() => void)[] = [];
  private readonly tail = new StreamTail({
    newest: async () => `0-${this.appended}`,
    read: async (position, blockMs) => {
      const events = await this.after(position, 500);
      if (events.length > 0) return events;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, blockMs);
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return this.after(position, 500);
    },
  });

  constructor(private readonly maxLength = 10_000) {}

  follow(): Follower {
    return this.tail.follow();
  }

  followers(): number {
    return this.tail.followers();
  }

  async append(events: readonly DomainEvent[]): Promise<string[]> {
    this.events.push(...events);
    const positions = events.map((_, i) => `0-${this.appended + i + 1}`);
    this.appended += events.length;
    if (this.events.length > this.maxLength) this.events.splice(0, this.events.length - this.maxLength);
    for (const wake of this.waiting.splice(0)) wake();
    return positions;
  }

  async latest(count: number): Promise<DomainEvent[]> {
    return this.events.slice(-count);
  }

  async after(position: string, count: number): Promise<PositionedEvent[]> {
    const first = this.appended - this.events.length + 1;
    const from = Math.max(first, Number(position.split('-')[1] ?? 0) + 1);
    return this.events
      .slice(from - first, from - first + count)
      .map((event, i) => ({ position: `0-${from + i}`, event }));
  }

  /** In process only: events appended by this process, polled. */
  consume(_group: string, handle: (event: DomainEvent) => Promise<void>, { log }: ConsumeOptions) {
    let next = 0;
    let stopped = false;
    const timer = setInterval(async () => {
      while (!stopped && next < this.events.length) {
        const event = this.events[next]!;
        try {
          await handle(event);
          next++;
        } catch (err) {
          if (err instanceof DeadLetter) {
            // No dead-letter stream in process: the reason is logged and the event skipped.
            log.error({ eventId: event.id, reason: err.message }, 'event set aside');
            next++;
            continue;
          }
          log.warn({ err, eventId: event.id }, 'event handler failed; will retry');
          return;
        }
      }
    }, 250);
    const stop = async () => {
      stopped = true;
      clearInterval(timer);
    };
    return Object.assign(stop, { problem: () => undefined });
  }
}
