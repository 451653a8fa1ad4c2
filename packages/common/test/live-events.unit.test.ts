import { createPubSub } from '@graphql-yoga/subscription';
import { comparePositions, liveEvents, type LiveTopics } from '../src/events/live.js';
import type { DomainEvent } from '../src/redis/event-stream.js';
import { MemoryEventStream } from '../src/redis/memory-event-stream.js';

type Topics = LiveTopics<'InventoryChanged'>;

const inventory = (stock: number): DomainEvent =>
  ({
    id: `event-${stock}`,
    type: 'InventoryChanged',
    occurredAt: '2026-12-06T10:00:00.000Z',
    payload: { productId: 'p1', stock },
  }) as unknown as DomainEvent;

/** Appends events to the stream and publishes them live, as the outbox relay does. */
async function relay(events: MemoryEventStream, pubsub: ReturnType<typeof createPubSub<Topics>>, stocks: number[]) {
  const positions = await events.append(stocks.map(inventory));
  stocks.forEach((stock, i) =>
    pubsub.publish('InventoryChanged', { position: positions[i]!, payload: { productId: 'p1', stock } as never }),
  );
  return positions;
}

describe('live events, resumed from the durable stream', () => {
  it('orders positions as Redis stream ids', () => {
    expect(comparePositions('1-2', '1-10')).toBeLessThan(0);
    expect(comparePositions('2-0', '1-99')).toBeGreaterThan(0);
    expect(comparePositions('0-7', '0-7')).toBe(0);
  });

  it('replays what came after the position, then goes on live, each event once and in order', async () => {
    const events = new MemoryEventStream();
    const pubsub = createPubSub<Topics>();
    const [first] = await relay(events, pubsub, [1]);
    // Published while the subscriber was away: only the stream has them.
    await relay(events, pubsub, [2, 3]);
    const iterator = liveEvents('InventoryChanged', { pubsub, events, resumeAfter: first })[Symbol.asyncIterator]();
    const stocks: number[] = [];
    const next = async () => stocks.push(((await iterator.next()).value!.payload as { stock: number }).stock);
    const reading = next();
    // Appended and published while the replay is read: heard live and replayed, delivered once.
    await relay(events, pubsub, [4]);
    await reading;
    await next();
    await next();
    await relay(events, pubsub, [5]);
    await next();
    expect(stocks).toEqual([2, 3, 4, 5]);
    await iterator.return?.();
  });

  it('starts live without a position, or with one that is not a stream position', async () => {
    const events = new MemoryEventStream();
    const pubsub = createPubSub<Topics>();
    await relay(events, pubsub, [1, 2]);
    for (const resumeAfter of [undefined, 'not-a-position']) {
      const iterator = liveEvents('InventoryChanged', { pubsub, events, resumeAfter })[Symbol.asyncIterator]();
      const first = iterator.next();
      await new Promise((resolve) => setImmediate(resolve));
      await relay(events, pubsub, [7]);
      expect(((await first).value!.payload as { stock: number }).stock).toBe(7);
      await iterator.return?.();
    }
  });

  it('lets go of the live subscription when the subscriber leaves while waiting', async () => {
    const events = new MemoryEventStream();
    const pubsub = createPubSub<Topics>();
    const iterator = liveEvents('InventoryChanged', { pubsub, events })[Symbol.asyncIterator]();
    const pending = iterator.next();
    await new Promise((resolve) => setImmediate(resolve));
    await iterator.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});
