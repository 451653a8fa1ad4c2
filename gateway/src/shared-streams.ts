import { Repeater } from '@repeaterjs/repeater';

interface Listener<T> {
  push(value: T): Promise<unknown>;
  stop(error?: unknown): void;
}

/** One source stream and the subscribers it feeds. */
interface Shared<T> {
  listeners: Set<Listener<T>>;
  /** Settles once the source answered: a stream to pump, or a single result (a refusal). */
  started: Promise<AsyncIterator<T> | unknown>;
}

/**
 * Streams shared by key: the first subscriber of a key starts the source, later
 * ones join it and receive its values from then on (as a subscription does), and
 * the source is closed when its last subscriber leaves. A source that answers
 * with a single result instead of a stream (a refusal, an error) is not shared:
 * whoever asked while it started gets that result.
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

  /** A stream of the source under `key`, started with `start` unless it runs already. */
  subscribe(key: string, start: () => unknown): Promise<AsyncIterable<T> | unknown> {
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
    return shared.started.then((source) => {
      if (!isIterator<T>(source)) return source;
      return new Repeater<T>(async (push, stop) => {
        const listener: Listener<T> = { push, stop };
        shared.listeners.add(listener);
        await stop;
        shared.listeners.delete(listener);
        if (shared.listeners.size === 0 && this.forget(key, shared)) await source.return?.();
      });
    });
  }

  private async pump(key: string, shared: Shared<T>, source: AsyncIterator<T>): Promise<void> {
    try {
      for (;;) {
        const next = await source.next();
        if (next.done) break;
        for (const listener of shared.listeners) void listener.push(next.value);
      }
      for (const listener of shared.listeners) listener.stop();
    } catch (err) {
      for (const listener of shared.listeners) listener.stop(err);
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

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isIterator<T>(value: unknown): value is AsyncIterator<T> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterator<T>).next === 'function';
}
