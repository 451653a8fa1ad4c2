import type { Logger } from '../logger.js';
import type { ReadinessCheck } from '../server/health.js';
import { DeadLetter, type DomainEvent, type EventStream } from '../redis/event-stream.js';
import { checkEvent, isEventName, type ContractEvent, type EventName, type EventPayloads } from './contract.js';
import type { Invalidator } from './invalidations.js';

/** A consumer's reactions, by event name; each handler gets the checked payload and the event around it. */
export type EventHandlers = {
  [E in EventName]?: (payload: EventPayloads[E], event: ContractEvent<E>) => Promise<void>;
};

/**
 * Wraps typed handlers into one stream handler: the event's handler runs,
 * then the service's invalidation table drops what the event made stale. An
 * event type outside the contract, or a payload that fails its check, is a
 * `DeadLetter` (no retry can fix it); a known event that this consumer neither
 * handles nor invalidates for is acknowledged and skipped, its payload unread.
 */
export function dispatchEvents(
  handlers: EventHandlers,
  invalidator?: Invalidator,
): (event: DomainEvent) => Promise<void> {
  return async (event) => {
    if (isEventName(event.type) && !handlers[event.type] && !invalidator?.covers(event.type)) return;
    const checked = checkEvent(event);
    if (!checked.ok) throw new DeadLetter(checked.reason);
    const handle = handlers[checked.event.type] as
      ((payload: unknown, event: ContractEvent) => Promise<void>) | undefined;
    // After the handler's own writes, so a read in between cannot cache the old state again.
    await handle?.(checked.event.payload, checked.event);
    await invalidator?.invalidate([checked.event]);
  };
}

export interface ConsumerGroupOptions {
  events: EventStream;
  /** The group's name; each group sees every event once across its replicas. */
  group: string;
  log: Logger;
  teardown: { add(name: string, close: () => Promise<void>): void };
  /** How long a failed event waits before another attempt. Default 30000 ms. */
  retryAfterMs?: number;
}

/**
 * Starts a service's consumer group on the event stream, typed by the
 * contract, and stops it with the service. `invalidator` is the service's
 * invalidation table bound to its cache. Returns `/ready`'s optional `events`
 * check: it fails while the group cannot read the stream (events then wait there).
 */
export function startConsumerGroup(
  { events, group, log, teardown, retryAfterMs }: ConsumerGroupOptions,
  handlers: EventHandlers,
  invalidator?: Invalidator,
): ReadinessCheck {
  const handle = dispatchEvents(handlers, invalidator);
  const consumer = events.consume(group, handle, { log, retryAfterMs });
  teardown.add(`${group} event consumer`, consumer);
  return {
    name: 'events',
    optional: true,
    async check() {
      const problem = consumer.problem();
      if (problem) throw new Error(problem);
    },
  };
}
