import pg from 'pg';
import type { Logger, Teardown } from '@polystore/common';

/** The channel write_outbox notifies (migration 1764000300000). */
export const OUTBOX_CHANNEL = 'outbox_written';

/**
 * Calls `onWrite` each time a transaction that wrote outbox rows commits, from
 * a connection of its own that LISTENs (outside the pool: it is held for good).
 * It only shortens the wait; the relay's poll still finds every row, so a lost
 * connection (or a pooler that does not pass notifications on) costs latency,
 * not events. The connection is opened again after a failure, with a bounded
 * back-off, until teardown.
 */
export function listenForOutboxWrites({
  url,
  log,
  teardown,
  onWrite,
}: {
  url: string;
  log: Logger;
  teardown: Teardown;
  onWrite: () => void;
}): void {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = async () => {
    const next = new pg.Client({ connectionString: url, application_name: 'polystore-outbox-listener' });
    client = next;
    next.on('notification', () => onWrite());
    next.on('error', (err) => reconnect(err));
    try {
      await next.connect();
      await next.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (failures > 0) log.info('outbox listener reconnected');
      failures = 0;
      // Rows written while no one listened are picked up now rather than at the next poll.
      onWrite();
    } catch (err) {
      reconnect(err);
    }
  };

  const reconnect = (err: unknown) => {
    if (stopped || retry) return;
    failures++;
    if (failures === 1) log.warn({ err }, 'outbox listener lost its connection; the relay polls meanwhile');
    client?.removeAllListeners('notification');
    void client?.end().catch(() => undefined);
    retry = setTimeout(
      () => {
        retry = undefined;
        void connect();
      },
      Math.min(500 * 2 ** failures, 10_000),
    );
  };

  void connect();
  teardown.add('outbox listener', async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  });
}
