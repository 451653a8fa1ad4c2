import type { Redis } from 'ioredis';

/** A domain event as it travels on the durable stream. `id` is the producer's outbox id: consumers de-duplicate on it. */
export interface DomainEvent {
  id: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: string;
}

/**
 * The durable event log shared by the services (a Redis stream). Appends throw
 * when Redis cannot take them, so a producer keeps its events and retries.
 */
export interface EventStream {
  append(events: readonly DomainEvent[]): Promise<void>;
  /** The newest `count` events, oldest first (for tools and tests). */
  latest(count: number): Promise<DomainEvent[]>;
}

/** Bounded so an idle consumer cannot grow Redis without limit; consumers read far faster. */
const MAX_STREAM_LENGTH = 1_000_000;

export class RedisEventStream implements EventStream {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
  ) {}

  async append(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const event of events) {
      pipeline.xadd(this.key, 'MAXLEN', '~', MAX_STREAM_LENGTH, '*', 'event', JSON.stringify(event));
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async latest(count: number): Promise<DomainEvent[]> {
    const entries = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', count);
    return entries.reverse().map(([, fields]) => JSON.parse(fields[1]!) as DomainEvent);
  }
}

/** In-process stand-in when no Redis is configured: other processes cannot read it. */
export class MemoryEventStream implements EventStream {
  private readonly events: DomainEvent[] = [];

  constructor(private readonly maxLength = 10_000) {}

  async append(events: readonly DomainEvent[]): Promise<void> {
    this.events.push(...events);
    if (this.events.length > this.maxLength) this.events.splice(0, this.events.length - this.maxLength);
  }

  async latest(count: number): Promise<DomainEvent[]> {
    return this.events.slice(-count);
  }
}
