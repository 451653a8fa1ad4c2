import { Gauge, type Registry } from 'prom-client';
import { isAsyncIterable } from '../execution.js';

/** One subscriber's queue: values pushed by the source wait here until the subscriber reads them. */
interface Listener<T> {
  values: T[];
  ended: boolean;
  error?: { reason: unknown };
  /** Resolves a `next()` waiting for a value. */
  wake?: () => void;
  /**
   * Takes each value as it comes instead of the queue (its `next()` then only
   * waits for the end); false when the subscriber cannot take more, which ends it.
   */
  deliver?: (value: T) => boolean;
}

/** One source stream and the subscribers it feeds. */
interface Shared<T> {
  listeners: Set<Listener<T>>;
  /** Settles once the source answered: a stream to pump, or a single result (a refusal). */
  started: Promise<AsyncIterator<T> | unknown>;
}

/** Values a subscriber may leave unread before it is ended with an error (it is not keeping up). */
const MAX_UNREAD = 10_000;

/**
 * Streams shared by key: the first subscriber of a key starts the source, later
 * ones join it and receive its values from then on (as a subscription does), and
 * the source is closed when its last subscriber leaves. A subscriber is
 * registered when it asks, so nothing the source sends after that is lost, even
 * before it first reads. A source that answers with a single result instead of a
 * stream (a refusal, an error) is not shared: whoever asked while it started gets
 * that result.
 */
export class SharedStreams<T> {
  private readonly shared = new Map<string, Shared<T>>();

  /** Sources open now. */
  get sources(): number {
    return this.shared.size;
  }

  /** Subscribers fed by the open sources. */
  get subscribers(): number {
    let count = 0;
    for (const entry of this.shared.values()) count += entry.listeners.size;
    return count;
  }

  /**
   * Two gauges on `/metrics`: `<name>` (sources open) and `<name>_clients` (subscribers
   * they feed), read when scraped.
   */
  measure(registry: Registry, name: string, help: { sources: string; subscribers: string }): this {
    const sources = () => this.sources;
    const subscribers = () => this.subscribers;
    new Gauge({
      name,
      help: help.sources,
      registers: [registry],
      collect() {
        this.set(sources());
      },
    });
    new Gauge({
      name: `${name}_clients`,
      help: help.subscribers,
      registers: [registry],
      collect() {
        this.set(subscribers());
      },
    });
    return this;
  }

  /**
   * A stream of the source under `key`, started with `start` unless it runs
   * already. With `deliver`, each value is handed to it as the source sends
   * it, in the same turn for every subscriber, and the stream returned only
   * ends (or throws) when the subscription does.
   */
  subscribe(
    key: string,
    start: () => unknown,
    deliver?: (value: T) => boolean,
  ): Promise<AsyncIterableIterator<T> | unknown> {
    let entry = this.shared.get(key);
    if (!entry) {
      const created: Shared<T> = {
        listeners: new Set(),
        started: Promise.resolve()
          .then(start)
          .then((result) => (isAsyncIterable<T>(result) ? result[Symbol.asyncIterator]() : result)),
      };
      entry = created;
      this.shared.set(key, created);
      created.started.then(
        (source) => {
          if (isIterator<T>(source)) void this.pump(key, created, source);
          else this.forget(key, created);
        },
        () => this.forget(key, created),
      );
    }
    const shared = entry;
    const listener: Listener<T> = { values: [], ended: false, ...(deliver ? { deliver } : {}) };
    shared.listeners.add(listener);
    return shared.started.then(
      (source) => {
        if (isIterator<T>(source)) return this.reader(key, shared, listener, source);
        shared.listeners.delete(listener);
        return source;
      },
      (err: unknown) => {
        shared.listeners.delete(listener);
        throw err;
      },
    );
  }

  /** What one subscriber iterates: its queue, and leaving (the last one closes the source). */
  private reader(key: string, shared: Shared<T>, listener: Listener<T>, source: AsyncIterator<T>) {
    const leave = () => {
      if (!shared.listeners.delete(listener)) return;
      if (shared.listeners.size === 0 && this.forget(key, shared)) void source.return?.();
    };
    const reader: AsyncIterableIterator<T> = {
      [Symbol.asyncIterator]: () => reader,
      async next() {
        for (;;) {
          if (listener.values.length > 0) return { value: listener.values.shift()!, done: false };
          if (listener.error) {
            // Thrown once, then done: a caller that maps the error to a result and reads on
            // (the runtime's execution does) would otherwise get it again, for ever.
            const { reason } = listener.error;
            listener.error = undefined;
            listener.ended = true;
            leave();
            throw reason;
          }
          if (listener.ended) {
            leave();
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => (listener.wake = resolve));
        }
      },
      async return() {
        listener.ended = true;
        listener.values.length = 0;
        leave();
        listener.wake?.();
        return { value: undefined, done: true };
      },
    };
    return reader;
  }

  private async pump(key: string, shared: Shared<T>, source: AsyncIterator<T>): Promise<void> {
    const end = (listener: Listener<T>, error?: { reason: unknown }) => {
      if (error) listener.error = error;
      listener.ended = true;
      listener.wake?.();
    };
    try {
      for (;;) {
        const next = await source.next();
        if (next.done) break;
        for (const listener of shared.listeners) {
          if (listener.ended) continue;
          if (listener.deliver) {
            if (!listener.deliver(next.value))
              end(listener, { reason: new Error('subscriber is not reading its events') });
            continue;
          }
          if (listener.values.length >= MAX_UNREAD) {
            end(listener, { reason: new Error(`subscriber left ${MAX_UNREAD} events unread`) });
            continue;
          }
          listener.values.push(next.value);
          listener.wake?.();
        }
      }
      for (const listener of shared.listeners) end(listener);
    } catch (err) {
      for (const listener of shared.listeners) end(listener, { reason: err });
    } finally {
      this.forget(key, shared);
    }
  }

  /** Drops `key` if it still names this entry; true when it did. */
  private forget(key: string, shared: Shared<T>): boolean {
    if (this.shared.get(key) !== shared) return false;
    this.shared.delete(key);
    return true;
  }
}

function isIterator<T>(value: unknown): value is AsyncIterator<T> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterator<T>).next === 'function';
}
