import type { IncomingMessage } from 'node:http';
import { Repeater } from '@graphql-yoga/subscription';
import { RESUME_EXTENSION } from '../auth/signature.js';
import type { EventStream, PositionedEvent } from '../redis/event-stream.js';
import type { EventName, EventPayloads } from './contract.js';
import { untilStopped } from '../until-stopped.js';
import { resolvePerEvent } from './per-event.js';

/**
 * Live subscriptions that outlive the connection they came on. A subgraph
 * reads events from the durable stream as they are appended (`EventStream.follow`),
 * each with its position (`LiveEvent`), and tells the gateway each delivered event's position (`extensions` of the
 * subscription's result, `POSITION_EXTENSION`). When the connection drops (the
 * subgraph replica died, a balancer moved it) the gateway subscribes again with
 * the last position it had (`RESUME_EXTENSION`, signed), and whichever replica
 * answers first replays from the stream what was appended after it, then goes
 * on live: nothing published in between is lost, nothing is delivered twice.
 */
export const POSITION_EXTENSION = 'event-position';

/** A domain event as live subscriptions hear it: its payload, and where it is in the durable stream. */
export interface LiveEvent<Payload> {
  position: string;
  payload: Payload;
}

/** Orders stream positions (`<ms>-<seq>`, as Redis stream ids): negative when a is before b. */
export function comparePositions(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}

/** A stream position as the gateway may send it back: `<ms>-<seq>`, digits only. */
const POSITION = /^\d{1,20}-\d{1,20}$/;

/** Events replayed per read of the stream, and at most in all (a gateway away longer starts live). */
const REPLAY_PAGE = 500;
const MAX_REPLAY = 10_000;

export interface LiveEventsOptions {
  events: EventStream;
  /** The position of the last event the subscriber had; undefined for a new subscription. */
  resumeAfter?: string | undefined;
}

/**
 * The events of one type: first those appended to the durable stream after
 * `resumeAfter` (at most 10,000), then live ones as they are appended, each
 * once and in stream order. The stream is followed before the replay is read,
 * so an event appended meanwhile is heard, and dropped if the replay had it.
 */
export function liveEvents<Type extends EventName>(
  type: Type,
  { events, resumeAfter }: LiveEventsOptions,
): AsyncIterable<LiveEvent<EventPayloads[Type]>> {
  type Event = LiveEvent<EventPayloads[Type]>;
  return new Repeater<Event>(async (push, stop) => {
    const follower = events.follow();
    const ended = untilStopped(stop);
    void stop.then(() => follower.close());
    const deliver = async (positioned: PositionedEvent) => {
      if (last && comparePositions(positioned.position, last) <= 0) return;
      last = positioned.position;
      if (positioned.event.type === type) await push(liveEventOf(positioned) as Event);
    };
    let last = resumeAfter && POSITION.test(resumeAfter) ? resumeAfter : undefined;
    if (last) {
      // Every event up to where the follower starts is in the stream by now: the replay reads it.
      const from = await follower.from;
      for (let replayed = 0; !ended.stopped && replayed < MAX_REPLAY && comparePositions(last, from) < 0;) {
        const page = await events.after(last, REPLAY_PAGE);
        for (const positioned of page) await deliver(positioned);
        replayed += page.length;
        if (page.length < REPLAY_PAGE) break;
      }
    }
    try {
      while (!ended.stopped) {
        const batch = await ended.race(follower.next());
        if (!batch) break;
        for (const positioned of batch) await deliver(positioned);
      }
      stop();
    } catch (err) {
      // Fell too far behind: the subscription ends, and a gateway resumes it from the stream.
      stop(err);
    }
  });
}

/**
 * One `LiveEvent` per event for all the followers of this process (the tail hands
 * them the same entries), so work keyed by the event is done once (`resolvePerEvent`).
 */
const sharedLiveEvents = new WeakMap<PositionedEvent, LiveEvent<unknown>>();
function liveEventOf(positioned: PositionedEvent): LiveEvent<unknown> {
  let live = sharedLiveEvents.get(positioned);
  if (!live)
    sharedLiveEvents.set(positioned, (live = { position: positioned.position, payload: positioned.event.payload }));
  return live;
}

/** The resume position a subscribe request carried, by request (recorded by the subgraph server). */
const resumePositions = new WeakMap<IncomingMessage, string>();

export function recordResumePosition(request: IncomingMessage, payload: unknown): void {
  const position = (payload as { extensions?: Record<string, unknown> } | undefined)?.extensions?.[RESUME_EXTENSION];
  if (typeof position === 'string' && POSITION.test(position)) resumePositions.set(request, position);
}

export const resumePositionOf = (request: IncomingMessage): string | undefined => resumePositions.get(request);

/** The position of the event a subscription's context is resolving now, for its result's extensions. */
const deliveredPositions = new WeakMap<object, string>();

export const deliveredPositionOf = (context: object): string | undefined => deliveredPositions.get(context);

/**
 * `resolvePerEvent` for live events: resolves the payload, and records the
 * event's position on the subscriber's context, where the subgraph server adds
 * it to the result (`POSITION_EXTENSION`).
 */
export function resolveLiveEvent<Payload, Context extends { loaders: unknown }, Result>(
  freshLoaders: (context: Context) => Context['loaders'],
  read: (context: Context, payload: Payload) => Promise<Result>,
): (event: LiveEvent<Payload>, args: unknown, context: Context) => Promise<Result> {
  const resolve = resolvePerEvent<LiveEvent<Payload>, Context, Result>(freshLoaders, (context, event) =>
    read(context, event.payload),
  );
  return (event, args, context) => {
    deliveredPositions.set(context, event.position);
    return resolve(event, args, context);
  };
}
