import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '@polystore/common';
import type { Queryable } from '../db/statements.js';

/**
 * Every statement on `outbox` (the triggers write its rows; the relay reads
 * them). These run in the relay, not in a request, so failures stay raw for
 * its log and backoff instead of becoming API errors.
 */

/** Advisory lock key held by the replica that relays; any constant unique in the database. */
const RELAY_LOCK = 7_274_017;
/** Published rows are kept this many days (for inspection and replay: a restore re-applies them), then pruned. */
export const RETENTION_DAYS = 7;

/**
 * In the caller's transaction: takes the relay lock (one relay at a time
 * across replicas keeps the stream in commit order) and claims up to `limit`
 * unpublished rows, oldest first (outbox_unpublished_idx). Empty when another
 * replica holds the lock.
 */
export async function claimUnpublished(manager: EntityManager, limit: number): Promise<DomainEvent[]> {
  const [{ locked }] = await manager.query<[{ locked: boolean }]>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
    RELAY_LOCK,
  ]);
  if (!locked) return [];
  const rows = await manager.query<(Omit<DomainEvent, 'occurredAt'> & { createdAt: Date })[]>(
    `SELECT id::text, event_type AS "type", aggregate_type AS "aggregateType", aggregate_id AS "aggregateId",
            payload, created_at AS "createdAt"
     FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map(({ createdAt, ...event }) => ({ ...event, occurredAt: new Date(createdAt).toISOString() }));
}

/** In the claiming transaction: marks the rows published. */
export async function markPublished(manager: EntityManager, ids: readonly string[]): Promise<void> {
  await manager.query('UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY ($1::bigint[])', [ids]);
}

/** Deletes published rows past their retention, at most 10,000 per call. */
export async function prunePublished(db: Queryable): Promise<void> {
  await db.query(
    `DELETE FROM outbox WHERE id IN (
       SELECT id FROM outbox WHERE published_at < now() - interval '${RETENTION_DAYS} days' ORDER BY id LIMIT 10000)`,
  );
}

/** How many events are written but not yet on the stream (outbox_unpublished_idx): changes other stores have not seen. */
export async function countUnpublished(db: Queryable): Promise<number> {
  const [row] = await db.query<{ count: number }[]>(
    'SELECT count(*)::integer AS count FROM outbox WHERE published_at IS NULL',
  );
  return row!.count;
}
