import type { RedisClient } from './client.js';
import type { DomainEvent, PositionedEvent } from './stream-event.js';
import type { TailSource } from './stream-tail.js';

/** The event of a stream entry (`event` field, JSON); undefined when unreadable (consumers set such entries aside). */
export function parseEntryEvent(fields: string[]): DomainEvent | undefined {
  try {
    const event = JSON.parse(fields[fields.indexOf('event') + 1] ?? '') as DomainEvent;
    return typeof event?.type === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}

const READ_COUNT = 500;

/** A Redis stream as a tail reads it: XREVRANGE for its end, XREAD BLOCK on `blocking` (a connection of its own). */
export function redisTailSource(command: RedisClient, blocking: RedisClient, key: string): TailSource {
  return {
    newest: async () => (await command.xrevrange(key, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0',
    async read(position, blockMs) {
      const read = (await blocking.xread('COUNT', READ_COUNT, 'BLOCK', blockMs, 'STREAMS', key, position)) as
        [string, [string, string[]][]][] | null;
      return (read?.[0]?.[1] ?? []).flatMap(([id, fields]): PositionedEvent[] => {
        const event = parseEntryEvent(fields);
        return event ? [{ position: id, event }] : [];
      });
    },
  };
}
