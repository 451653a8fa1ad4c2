import type { IncomingMessage } from 'node:http';
import { Repeater, type PubSub } from '@graphql-yoga/subscription';
import { RESUME_EXTENSION } from '../auth/signature.js';
import type { EventStream } from '../redis/event-stream.js';
import type { EventName, EventPayloads } from './contract.js';
import { resolvePerEvent } from './per-event.js';

/**
 * Live subscriptions that outlive the connection they came on. A subgraph
 * publishes each event with its position in the durable stream (`LiveEvent`)
 * and tells the gateway each delivered event's position (`extensions` of the
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

/** Pub/sub topic maps of live events, for example `LiveTopics<'InventoryChanged'>`. */
export type LiveTopics<E extends EventName> = { [K in E]: [LiveEvent<EventPayloads[K]>] };

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

export interface LiveEventsOptions<Topics extends Record<string, [LiveEvent<unknown>]>> {
  pubsub: PubSub<Topics>;
  events: EventStream;
  /** The position of the last event the subscriber had; undefined for a new subscription. */
  resumeAfter?: string | undefined;
}

/**
 * The events of one type: first those appended to the durable stream after
 * `resumeAfter` (at most 10,000), then live ones from pub/sub, each once and in
 * stream order. The live subscription starts before the replay is read, so an
 * event published meanwhile is heard, and dropped if the replay had it.
 */
export function liveEvents<Topics extends Record<string, [LiveEvent<unknown>]>, Type extends keyof Topics & string>(
  type: Type,
  { pubsub, events, resumeAfter }: LiveEventsOptions<Topics>,
): AsyncIterable<Topics[Type][0]> {
  type Event = Topics[Type][0];
  return new Repeater<Event>(async (push, stop) => {
    const subscribe = pubsub.subscribe.bind(pubsub) as unknown as (topic: string) => AsyncIterable<Event>;
    const live = subscribe(type)[Symbol.asyncIterator]();
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      void live.return?.();
    });
    let nextLive = live.next();
    let last = resumeAfter && POSITION.test(resumeAfter) ? resumeAfter : undefined;
    if (last) {
      for (let replayed = 0; !stopped && replayed < MAX_REPLAY;) {
        const page = await events.after(last, REPLAY_PAGE);
        for (const { position, event } of page) {
          last = position;
          if (event.type === type) await push({ position, payload: event.payload } as Event);
        }
        replayed += page.length;
        if (page.length < REPLAY_PAGE) break;
      }
    }
    const ended = stop.then(() => ({ done: true as const, value: undefined }));
    while (!stopped) {
      const result = await Promise.race([nextLive, ended]);
      if (result.done) break;
      nextLive = live.next();
      if (last && comparePositions(result.value.position, last) <= 0) continue;
      last = result.value.position;
      await push(result.value);
    }
    stop();
  });
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
