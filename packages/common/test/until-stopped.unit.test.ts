import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { untilStopped } from '../src/until-stopped.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const never = new Promise<void>(() => undefined);

/** Passes 100 events through `wait`, then says how many of them are still alive after a full collection. */
async function eventsAliveAfter(wait: (event: Promise<object>) => Promise<unknown>): Promise<number> {
  const events: WeakRef<object>[] = [];
  for (let i = 0; i < 100; i++) {
    const event = { payload: new Array(1_000).fill(i) };
    events.push(new WeakRef(event));
    await wait(Promise.resolve(event));
  }
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  return events.filter((event) => event.deref() !== undefined).length;
}

describe('untilStopped', () => {
  it('settles with what was waited for, and with undefined once stopped, at once after', async () => {
    let stop!: () => void;
    const waits = untilStopped(new Promise<void>((resolve) => (stop = resolve)));
    expect(await waits.race(Promise.resolve('event'))).toBe('event');
    const pending = waits.race(never);
    stop();
    expect(await pending).toBeUndefined();
    expect(waits.stopped).toBe(true);
    expect(await waits.race(Promise.resolve('late'))).toBeUndefined();
  });

  it('passes a failed wait on', async () => {
    const waits = untilStopped(never);
    await expect(waits.race(Promise.reject(new Error('upstream gone')))).rejects.toThrow('upstream gone');
  });

  it('keeps no event alive once passed on, however long the stream lives (Promise.race kept every one)', async () => {
    expect(await eventsAliveAfter((event) => Promise.race([event, never]))).toBe(100);
    const waits = untilStopped(never);
    expect(await eventsAliveAfter((event) => waits.race(event))).toBeLessThanOrEqual(1);
  });
});
