import { Repeater } from '@repeaterjs/repeater';
import { SharedStreams } from '../src/plugins/subscriptions/shared-streams.js';

/** A source stream the test pushes values into, and whether it was closed. */
function source() {
  const state = { push: (_value: number) => {}, fail: (_error: Error) => {}, closed: false };
  const stream = new Repeater<number>(async (push, stop) => {
    state.push = (value) => void push(value);
    state.fail = (error) => stop(error);
    await stop;
    state.closed = true;
  });
  return { stream, state };
}

const read = async (iterator: AsyncIterator<number>) => await iterator.next();

describe('streams shared by key', () => {
  it('starts the source once for every subscriber of a key, and closes it when the last one leaves', async () => {
    const streams = new SharedStreams<number>();
    const { stream, state } = source();
    let started = 0;
    const start = () => (started++, stream);
    const a = (await streams.subscribe('k', start)) as AsyncIterableIterator<number>;
    const b = (await streams.subscribe('k', start)) as AsyncIterableIterator<number>;
    expect(started).toBe(1);
    state.push(1);
    expect(await read(a)).toEqual({ value: 1, done: false });
    expect(await read(b)).toEqual({ value: 1, done: false });
    await a.return!();
    expect(state.closed).toBe(false);
    await b.return!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.closed).toBe(true);
    expect(streams.sources).toBe(0);
  });

  it("gives each subscriber the source's error once, then the end", async () => {
    const streams = new SharedStreams<number>();
    const { stream, state } = source();
    const a = (await streams.subscribe('k', () => stream)) as AsyncIterableIterator<number>;
    state.fail(new Error('the subgraph refused it'));
    await expect(read(a)).rejects.toThrow('the subgraph refused it');
    // A caller that turned the error into a result and read on got it again for ever (a busy loop).
    expect(await read(a)).toEqual({ value: undefined, done: true });
    expect(await read(a)).toEqual({ value: undefined, done: true });
  });

  it('hands values to a subscriber that takes them as they come, and ends one that cannot take more', async () => {
    const streams = new SharedStreams<number>();
    const { stream, state } = source();
    const taken: number[] = [];
    let room = 2;
    const direct = (await streams.subscribe(
      'k',
      () => stream,
      (value) => (taken.push(value), --room >= 0),
    )) as AsyncIterableIterator<number>;
    const queued = (await streams.subscribe('k', () => stream)) as AsyncIterableIterator<number>;
    const ended = read(direct);
    for (const value of [1, 2, 3]) state.push(value);
    await expect(ended).rejects.toThrow('subscriber is not reading its events');
    expect(taken).toEqual([1, 2, 3]);
    // The others go on.
    expect(await read(queued)).toEqual({ value: 1, done: false });
    expect(await read(queued)).toEqual({ value: 2, done: false });
    expect(await read(queued)).toEqual({ value: 3, done: false });
    expect(streams.subscribers).toBe(1);
    await queued.return!();
  });
});
