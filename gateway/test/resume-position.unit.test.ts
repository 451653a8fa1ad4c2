import { Repeater } from '@repeaterjs/repeater';
import { RESUME_EXTENSION } from '@polystore/common';
import { resubscribing, resumableExtensions } from '../src/plugins/subscriptions/resume-position.js';

type Result = { data?: { n: number }; extensions?: Record<string, unknown> };

/** An upstream that sends `values` (each with its stream position), then fails as a dead connection does. */
const dying = (values: number[]) =>
  new Repeater<Result>(async (push, stop) => {
    for (const n of values) await push({ data: { n }, extensions: { 'event-position': `0-${n}` } });
    stop(new Error('socket closed'));
  });

async function collect(answer: unknown, count: number): Promise<Result[]> {
  const results: Result[] = [];
  const iterator = (answer as AsyncIterable<Result>)[Symbol.asyncIterator]();
  while (results.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    results.push(next.value);
  }
  await iterator.return?.();
  return results;
}

describe('an upstream subscription that outlives its connection', () => {
  it('subscribes again after a failure, from the last position, and hides the positions', async () => {
    const extensions = resumableExtensions({ [RESUME_EXTENSION]: '0-99', jwt: { payload: { sub: 'u1' } } });
    expect(extensions[RESUME_EXTENSION]).toBeUndefined();
    const asked: unknown[] = [];
    const upstreams = [dying([1, 2]), dying([3])];
    const answer = await resubscribing(extensions, () => {
      asked.push(extensions[RESUME_EXTENSION]);
      return upstreams.shift() ?? dying([]);
    });
    const results = await collect(answer, 3);
    expect(results.map((result) => result.data?.n)).toEqual([1, 2, 3]);
    expect(results.every((result) => result.extensions === undefined)).toBe(true);
    // New, then resumed after the last event it had.
    expect(asked).toEqual([undefined, '0-2']);
  });

  it('gives up after five failed attempts in a row, with the error', async () => {
    let attempts = 0;
    const answer = await resubscribing({}, () => (attempts++, dying([])));
    await expect(collect(answer, 1)).rejects.toThrow('socket closed');
    expect(attempts).toBe(6);
  }, 30_000);

  it('returns a refusal as it is, and ends the stream after a later one', async () => {
    const refusal = { errors: [{ message: 'refused' }] } as unknown as Result;
    expect(await resubscribing({}, () => refusal)).toBe(refusal);
    const upstreams: (Result | Repeater<Result>)[] = [dying([1]), refusal];
    const answer = await resubscribing({}, () => upstreams.shift()!);
    expect(await collect(answer, 5)).toEqual([{ data: { n: 1 }, extensions: undefined }, refusal]);
  });
});
