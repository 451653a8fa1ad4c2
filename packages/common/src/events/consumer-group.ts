import type { Logger } from '../logger.js';
import { DeadLetter, type DomainEvent, type EventStream } from '../redis/event-stream.js';
import { checkEvent, isEventName, type ContractEvent, type EventName, type EventPayloads } from './contract.js';

/** A consumer's reactions, by event name; each handler gets the checked payload and the event around it. */
export type EventHandlers = {
  [E in EventName]?: (payload: EventPayloads[E], event: ContractEvent<E>) => Promise<void>;
};

/**
 * Wraps typed handlers into one stream handler. An event type outside the
 * contract, or a payload that fails its check, is a `DeadLetter` (no retry can
 * fix it); a known event this consumer has no handler for is acknowledged
 * and skipped, its payload unread.
 */
export function dispatchEvents(handlers: EventHandlers): (event: DomainEvent) => Promise<void> {
  return async (event) => {
    if (isEventName(event.type) && !handlers[event.type]) return;
    const checked = checkEvent(event);
    if (!checked.ok) throw new DeadLetter(checked.reason);
    const handle = handlers[checked.event.type] as (payload: unknown, event: ContractEvent) => Promise<void>;
    await handle(checked.event.payload, checked.event);
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

/** Starts a service's consumer group on the event stream, typed by the contract, and stops it with the service. */
export function startConsumerGroup(
  { events, group, log, teardown, retryAfterMs }: ConsumerGroupOptions,
  handlers: EventHandlers,
): void {
  teardown.add(`${group} event consumer`, events.consume(group, dispatchEvents(handlers), { log, retryAfterMs }));
}
