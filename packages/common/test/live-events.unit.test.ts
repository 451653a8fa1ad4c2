import { comparePositions, liveEvents } from '../src/events/live.js';
import type { DomainEvent } from '../src/redis/event-stream.js';
import { MemoryEventStream } from '../src/redis/memory-event-stream.js';

const inventory = (stock: number, id = `event-${stock}`): DomainEvent =>
  ({
    id,
    type: 'InventoryChanged',
    occurredAt: '2026-12-06T10:00:00.000Z',
    payload: { productId: 'p1', stock },
  }) as unknown as DomainEvent;

const append = (events: MemoryEventStream, stocks: number[]) => events.append(stocks.map((stock) => inventory(stock)));
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('live events, followed and resumed from the durable stream', () => {
  it('orders positions as Redis stream ids', () => {
    expect(comparePositions('1-2', '1-10')).toBeLessThan(0);
    expect(comparePositions('2-0', '1-99')).toBeGreaterThan(0);
    expect(comparePositions('0-7', '0-7')).toBe(0);
  });

  it('replays what came after the position, then goes on live, each event once and in order', async () => {
    const events = new MemoryEventStream();
    const [first] = await append(events, [1]);
    // Appended while the subscriber was away: replayed.
    await append(events, [2, 3]);
    const iterator = liveEvents('InventoryChanged', { events, resumeAfter: first })[Symbol.asyncIterator]();
    const stocks: number[] = [];
    const next = async () => stocks.push(((await iterator.next()).value!.payload as { stock: number }).stock);
    const reading = next();
    // Appended while the replay is read: heard live or replayed, delivered once.
    await append(events, [4]);
    await reading;
    await next();
    await next();
    await append(events, [5]);
    await next();
    expect(stocks).toEqual([2, 3, 4, 5]);
    await iterator.return?.();
  });

  it('starts live without a position, or with one that is not a stream position', async () => {
    const events = new MemoryEventStream();
    await append(events, [1, 2]);
    for (const resumeAfter of [undefined, 'not-a-position']) {
      const iterator = liveEvents('InventoryChanged', { events, resumeAfter })[Symbol.asyncIterator]();
      const first = iterator.next();
      await settle();
      await events.append([inventory(7, `event-7-${resumeAfter}`)]);
      expect(((await first).value!.payload as { stock: number }).stock).toBe(7);
      await iterator.return?.();
    }
  });

  it('hears an event of another type not at all, and a second append of one event once', async () => {
    const events = new MemoryEventStream();
    const iterator = liveEvents('InventoryChanged', { events })[Symbol.asyncIterator]();
    const first = iterator.next();
    await settle();
    await events.append([{ ...inventory(1), type: 'ProductDeleted' }, inventory(2), inventory(2), inventory(3)]);
    expect(((await first).value!.payload as { stock: number }).stock).toBe(2);
    expect(((await iterator.next()).value!.payload as { stock: number }).stock).toBe(3);
    await iterator.return?.();
  });

  it('counts its followers, and lets go of the stream when the subscriber leaves while waiting', async () => {
    const events = new MemoryEventStream();
    const iterator = liveEvents('InventoryChanged', { events })[Symbol.asyncIterator]();
    const pending = iterator.next();
    await settle();
    expect(events.followers()).toBe(1);
    await iterator.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(events.followers()).toBe(0);
  });

  it('ends a subscriber that falls more than 10,000 events behind, instead of buffering without bound', async () => {
    const events = new MemoryEventStream(30_000);
    const follower = events.follow();
    await follower.from;
    for (let batch = 0; batch < 21; batch++)
      await events.append(Array.from({ length: 500 }, (_, i) => inventory(batch * 500 + i)));
    // The tail reads at most 500 per read: let it catch up with the appends.
    for (let turn = 0; turn < 100 && events.followers() > 0; turn++) await new Promise((r) => setTimeout(r, 5));
    await expect(follower.next()).rejects.toThrow('fell more than 10000 events behind');
    follower.close();
  });
});
