import type { DataSource } from 'typeorm';
import {
  checkEvent,
  type ContractEvent,
  type DomainEvent,
  type EventStream,
  type Logger,
  type Teardown,
} from '@polystore/common';
import * as outbox from '../store/outbox.js';
import { listenForOutboxWrites } from './outbox-wakeup.js';
import { createSqlInvalidator, type SqlCache } from '../cache.js';

export interface OutboxRelayOptions {
  db: DataSource;
  events: EventStream;
  cache: SqlCache;
  log: Logger;
  teardown: Teardown;
  /** Pause between polls when the outbox is empty. */
  intervalMs: number;
  /** Where to LISTEN for committed outbox writes, which wake the relay before its next poll. */
  listenUrl?: string;
  /** Rows moved per transaction. Default 200. */
  batchSize?: number;
}

/**
 * Moves outbox rows to the Redis event stream, at least once and in commit
 * order: the replica holding the relay lock claims rows oldest first, appends
 * them, and marks them published in the same transaction. If the append fails the
 * transaction rolls back and the rows are tried again; if the commit fails
 * after the append, they are appended twice (each copy with the same event
 * id). Consumers do not de-duplicate: every handler is idempotent, so a second
 * delivery changes nothing (each service's handler test delivers every event
 * twice). Before the append the relay drops what the events make stale (the
 * table in cache.ts); live subscriptions hear them from the stream
 * (`EventStream.follow`), on every replica, once appended.
 */
export function startOutboxRelay({
  db,
  events,
  cache,
  log,
  teardown,
  intervalMs,
  listenUrl,
  batchSize = 200,
}: OutboxRelayOptions) {
  const invalidator = createSqlInvalidator(cache);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let failures = 0;
  let lastError: Error | undefined;
  // Batches of this process run one after another: a flush that found the lock held by its
  // own poll would otherwise return before that batch had invalidated and published.
  let previous: Promise<unknown> = Promise.resolve();
  const relayNext = (): Promise<number> => {
    const batch = previous.then(relayBatch);
    previous = batch.catch(() => undefined);
    return batch;
  };

  async function relayBatch(): Promise<number> {
    return db.transaction(async (manager) => {
      // Replicas that find the lock taken get nothing and wait for their next tick.
      const claimed = await outbox.claimUnpublished(manager, batchSize);
      if (claimed.length === 0) return 0;
      // Caches drop what the events make stale before anyone can hear them: the rows' changes committed
      // already, and a live subscriber that reads on hearing an event reads fresh.
      await invalidator.invalidate(readable(claimed));
      await events.append(claimed);
      await outbox.markPublished(
        manager,
        claimed.map(({ id }) => id),
      );
      return claimed.length;
    });
  }

  /** The events as consumers will read them; a row that fails the contract is appended (consumers set it aside) but not acted on here. */
  function readable(claimed: DomainEvent[]): ContractEvent[] {
    return claimed.flatMap((event) => {
      const result = checkEvent(event);
      if (result.ok) return [result.event];
      log.error({ eventId: event.id, reason: result.reason }, 'outbox row does not match the event contract');
      return [];
    });
  }

  let lastPrune = 0;
  async function prune() {
    if (Date.now() - lastPrune < 60_000) return;
    lastPrune = Date.now();
    await outbox.prunePublished(db);
  }

  // A tick is running, and whether a wake-up came while it ran (it then runs again at once).
  let ticking = false;
  let wokenWhileTicking = false;

  async function tick() {
    ticking = true;
    wokenWhileTicking = false;
    let delay = intervalMs;
    try {
      // Drain a backlog without waiting between full batches.
      while (!stopped && (await relayNext()) === batchSize);
      await prune();
      if (failures > 0) log.info('outbox relay recovered');
      failures = 0;
    } catch (err) {
      failures++;
      lastError = err as Error;
      delay = Math.min(intervalMs * 2 ** failures, 10_000);
      if (failures === 1 || failures % 20 === 0) log.warn({ err, failures }, 'outbox relay failed; retrying');
    }
    ticking = false;
    if (wokenWhileTicking && failures === 0) delay = 0;
    if (!stopped) timer = setTimeout(() => (running = tick()), delay);
  }

  /** Relays now instead of at the next poll (or right after the batch in progress). */
  function wake() {
    if (stopped) return;
    if (ticking) {
      wokenWhileTicking = true;
      return;
    }
    clearTimeout(timer);
    running = tick();
  }

  running = tick();
  if (listenUrl) listenForOutboxWrites({ url: listenUrl, log, teardown, onWrite: wake });
  teardown.add('outbox relay', async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  });
  return {
    /** Why rows are waiting in the outbox now (the last batch failed), for `/ready`; undefined while they move. */
    problem: () =>
      failures > 0
        ? `outbox relay failing (${failures} attempts), events wait in the outbox: ${lastError?.message}`
        : undefined,
    /** Relays everything pending now (tests and shutdown use it). */
    async flush(): Promise<void> {
      while ((await relayNext()) > 0);
    },
  };
}
