import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { EventStream } from '../redis/event-stream.js';
import { EVENT_AGGREGATES, type EventName, type EventPayloads } from './contract.js';

/**
 * Appends one event of the contract to the durable stream, after the write it
 * announces (the mongo- and storage-subgraphs, which have no outbox): live
 * subscriptions on every replica hear it from the stream and a resumed one
 * replays it. Never fails the write: while Redis cannot take it, the event is
 * lost and logged (as a pub/sub message would be), the write stands.
 */
export async function appendEvent<E extends EventName>(
  events: EventStream,
  log: Logger,
  type: E,
  payload: EventPayloads[E],
): Promise<void> {
  const [aggregateType, idField] = EVENT_AGGREGATES[type] as readonly [string, keyof EventPayloads[E]];
  try {
    await events.append([
      {
        id: randomUUID(),
        type,
        aggregateType,
        aggregateId: String(payload[idField]),
        payload,
        occurredAt: new Date().toISOString(),
      },
    ]);
  } catch (err) {
    log.warn({ err, type }, 'event not published (not appended to the stream): Redis unavailable');
  }
}
