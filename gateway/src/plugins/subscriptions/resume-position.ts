import { Repeater } from '@repeaterjs/repeater';
import { POSITION_EXTENSION, RESUME_EXTENSION, untilStopped } from '@polystore/common';
import { isAsyncIterable } from '../execution.js';

type Extensions = Record<string, unknown>;

/**
 * The extensions of a subscription to a subgraph, made ready to carry where to
 * resume: graphql-ws keeps the subscribe payload it was given and sends that same
 * object again when it reconnects (a subgraph replica died), and the transport
 * passes these extensions into it only when they have a key. The same object
 * when there is one (signed, so the signature is made again on each send), with
 * no position yet.
 */
export function resumableExtensions(extensions: Extensions | undefined): Extensions {
  const resumable = extensions ?? {};
  // A new subscription starts live, whatever came with the request.
  resumable[RESUME_EXTENSION] = undefined;
  return resumable;
}

/** Subscribes again this many times in a row (no event in between) before the upstream is given up. */
const MAX_ATTEMPTS = 5;
/** Before each: 250 ms doubling up to 4 s, jittered, so gateways do not all come back at once. */
const backoff = (attempt: number) => Math.min(250 * 2 ** attempt, 4_000) * (0.5 + Math.random() / 2);

type Answer<Result> = AsyncIterable<Result> | Result;

/**
 * A subgraph subscription that outlives its connection. Each event carries its
 * position in the durable stream (`extensions['event-position']`, from
 * `liveEvents` in the subgraph): it is taken off the event and written into the
 * subscription's own extensions as `resume-after`, so a subscribe sent again
 * after a reconnect has the subgraph replay what came after it.
 *
 * graphql-ws retries a connection that closed, but not one that failed with an
 * error first, which is how Node's own WebSocket (Node 22 on) reports a peer that
 * died: the stream then ends with that error. This subscribes again itself
 * (`subscribe` makes the same request, with these extensions), up to five times
 * in a row, and ends with the error after that. A first answer that is not a
 * stream (a refusal) is returned as it is; a later one ends the stream after it.
 */
export async function resubscribing<Result extends { extensions?: Extensions }>(
  extensions: Extensions,
  subscribe: () => Answer<Result> | Promise<Answer<Result>>,
): Promise<Answer<Result>> {
  const first = await subscribe();
  if (!isAsyncIterable<Result>(first)) return first;
  const followed = (result: Result): Result => {
    const { [POSITION_EXTENSION]: position, ...rest } = result.extensions ?? {};
    if (typeof position !== 'string') return result;
    extensions[RESUME_EXTENSION] = position;
    return { ...result, extensions: Object.keys(rest).length > 0 ? rest : undefined };
  };
  return new Repeater<Result>(async (push, stop) => {
    const ended = untilStopped(stop);
    let stream: AsyncIterator<Result> | undefined = first[Symbol.asyncIterator]();
    void stop.then(() => stream?.return?.());
    for (let attempt = 0; !ended.stopped && stream;) {
      try {
        const next = await ended.race(stream.next());
        if (!next || next.done) break;
        attempt = 0;
        await push(followed(next.value));
      } catch (err) {
        if (++attempt > MAX_ATTEMPTS) throw err;
        await ended.race(new Promise((resolve) => setTimeout(resolve, backoff(attempt))));
        if (ended.stopped) break;
        const again = await subscribe();
        if (isAsyncIterable<Result>(again)) stream = again[Symbol.asyncIterator]();
        else {
          await push(again);
          stream = undefined;
        }
      }
    }
    stop();
  });
}
