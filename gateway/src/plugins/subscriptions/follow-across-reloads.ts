import { Repeater } from '@repeaterjs/repeater';
import type { GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { untilStopped } from '@polystore/common';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { isAsyncIterable } from '../execution.js';

/** Swaps one subscription follows; more and it ends as the runtime would end it. */
const MAX_REATTACHMENTS = 1_000;

export type Args = ExecutionArgs;
export type Result = ExecutionResult | AsyncIterable<ExecutionResult>;

/**
 * Forwards `first`; when it ends while the runtime serves another schema than the
 * one it began on, forwards the stream `resubscribe` returns instead, with no end
 * in between. A single result from it (a refusal on the new schema) is forwarded,
 * then the stream ends.
 *
 * A Repeater rather than an async generator: a client that leaves (return) must reach the
 * current upstream stream at once, not after its next event (a generator queues return()
 * while it awaits).
 */
export function followAcrossReloads(
  runtime: GatewayRuntime,
  first: AsyncIterable<ExecutionResult>,
  schema: unknown,
  resubscribe: () => Promise<Result>,
) {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    let stream = first[Symbol.asyncIterator]();
    const leaving = untilStopped(stop);
    void stop.then(() => stream.return?.());
    let servedOn = schema;
    try {
      for (let reattached = 0; reattached <= MAX_REATTACHMENTS && !leaving.stopped; reattached++) {
        for (;;) {
          const next = await leaving.race(stream.next());
          if (leaving.stopped || !next || next.done) break;
          await push(next.value);
        }
        const current = await runtime.getSchema();
        // Left, or ended for another reason (the subgraph closed it): end as before.
        if (leaving.stopped || current === servedOn) break;
        servedOn = current;
        const next = await resubscribe();
        if (!isAsyncIterable(next)) {
          await push(next);
          break;
        }
        stream = next[Symbol.asyncIterator]();
        if (leaving.stopped) void stream.return?.();
      }
      stop();
    } catch (err) {
      stop(err);
    }
  });
}
