import type pg from 'pg';
import { redisKeys, SUBGRAPHS, type RedisClient } from '@polystore/common';

/**
 * Where the event flow stood when the copies of MongoDB and S3 began. Every
 * event not yet applied to them then has an outbox id of at least
 * `replayFromOutboxId`, so a restore that re-applies the snapshot's outbox
 * rows from there on (handlers are idempotent) brings MongoDB and S3 to
 * PostgreSQL's state (docs/operations.md, _Backups_).
 */
export interface StartPosition {
  takenAt: string;
  outbox: {
    /** The highest outbox id committed, read while no transaction was writing the outbox. */
    highestId: string | null;
    /** The oldest event not yet on the stream. */
    firstUnpublishedId: string | null;
  };
  /** Per consumer group that writes MongoDB or S3: the oldest event it had not applied (null: all applied). Null without Redis. */
  groups: Record<string, { firstUnappliedId: string | null }> | null;
  /** The first outbox id a restore re-applies. */
  replayFromOutboxId: string;
}

/** The outbox as PostgreSQL's snapshot holds it. */
export interface EndPosition {
  takenAt: string;
  outbox: { highestId: string | null; unpublished: number };
  /** The snapshot's outbox rows a restore re-applies: ids from the start's `replayFromOutboxId` to `highestId`. */
  eventsToReplay: number;
}

/** The groups whose handlers write MongoDB or S3: one per subgraph (the gateway's only drops cached answers). */
const APPLYING_GROUPS = new Set<string>(SUBGRAPHS.map(({ service }) => service));

const minId = (ids: (string | null)[]): string | null =>
  ids.reduce<string | null>((low, id) => (id !== null && (low === null || BigInt(id) < BigInt(low)) ? id : low), null);

/**
 * Reads the outbox under a SHARE lock, which waits for every transaction
 * writing it to end and holds new writes back for the moment of one query:
 * an id that an open transaction holds (ids are taken before commit, so
 * they commit out of order) cannot hide below the position.
 */
async function outboxAtRest(client: pg.Client): Promise<StartPosition['outbox']> {
  await client.query('BEGIN');
  try {
    await client.query("SET LOCAL lock_timeout = '10s'");
    await client.query('LOCK TABLE outbox IN SHARE MODE');
    const { rows } = await client.query<{ highest: string | null; first_unpublished: string | null }>(
      `SELECT (SELECT max(id) FROM outbox)::text AS highest,
              (SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1)::text AS first_unpublished`,
    );
    return { highestId: rows[0]!.highest, firstUnpublishedId: rows[0]!.first_unpublished };
  } finally {
    await client.query('COMMIT');
  }
}

/**
 * The outbox id of a stream entry (its `event` field is the DomainEvent as JSON): outbox ids are
 * whole numbers; an event with another id was appended by the mongo- or storage-subgraph for live
 * subscriptions, no consumer applies it, and it is skipped (undefined). Unreadable: '1', so the
 * snapshot's whole outbox is replayed rather than an event missed.
 */
function outboxIdOf(fields: string[]): string | undefined {
  const json = fields[fields.indexOf('event') + 1];
  try {
    const id = String((JSON.parse(json ?? '') as { id: string }).id);
    return /^\d+$/.test(id) ? id : undefined;
  } catch {
    return '1';
  }
}

const PAGE = 100;

/** The first outbox id among the stream's entries from `start` (an entry id, `(`-prefixed to exclude it) on; null when none. */
async function firstOutboxIdFrom(redis: RedisClient, stream: string, start: string): Promise<string | null> {
  let from = start;
  for (let page = 0; page < 10_000; page++) {
    const entries = await redis.xrange(stream, from, '+', 'COUNT', PAGE);
    for (const [, fields] of entries) {
      const id = outboxIdOf(fields);
      if (id !== undefined) return id;
    }
    if (entries.length < PAGE) return null;
    from = `(${entries.at(-1)![0]}`;
  }
  return '1';
}

/** The oldest outbox event a group has read but not acknowledged; null when it has none pending. */
async function oldestPendingOutboxId(redis: RedisClient, stream: string, group: string): Promise<string | null> {
  const pending = (await redis.xpending(stream, group, '-', '+', 1_000)) as [string, ...unknown[]][];
  for (const [entryId] of pending) {
    const [entry] = await redis.xrange(stream, entryId, entryId);
    // Trimmed away while pending: replay the whole outbox rather than guess.
    if (!entry) return '1';
    const id = outboxIdOf(entry[1]);
    if (id !== undefined) return id;
  }
  return pending.length === 1_000 ? '1' : null;
}

/** Per applying group: the oldest outbox event read but not acknowledged, else the first not yet read. */
export async function unappliedByGroup(redis: RedisClient, stream: string): Promise<StartPosition['groups']> {
  if ((await redis.exists(stream)) === 0) return {};
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  const result: NonNullable<StartPosition['groups']> = {};
  for (const flat of groups) {
    const group = Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[String(v), flat[i + 1]]] : [])));
    const name = String(group.name);
    if (!APPLYING_GROUPS.has(name)) continue;
    const firstUnapplied =
      (await oldestPendingOutboxId(redis, stream, name)) ??
      (await firstOutboxIdFrom(redis, stream, `(${String(group['last-delivered-id'])}`));
    result[name] = { firstUnappliedId: firstUnapplied };
  }
  return result;
}

/** The start position: the outbox at rest, then what each group had still to apply (read after it, so never later than the copy). */
export async function readStartPosition(
  client: pg.Client,
  redis: RedisClient | null,
  keyPrefix: string,
): Promise<StartPosition> {
  const takenAt = new Date().toISOString();
  const outbox = await outboxAtRest(client);
  const groups = redis ? await unappliedByGroup(redis, redisKeys(keyPrefix).eventStream) : null;
  const afterHighest = String(BigInt(outbox.highestId ?? '0') + 1n);
  const groupIds = Object.values(groups ?? {}).map((group) => group.firstUnappliedId);
  const replayFromOutboxId = minId([afterHighest, outbox.firstUnpublishedId, ...groupIds])!;
  return { takenAt, outbox, groups, replayFromOutboxId };
}

/** The end position, read inside PostgreSQL's snapshot transaction. */
export async function readEndPosition(snapshot: pg.Client, replayFromOutboxId: string): Promise<EndPosition> {
  const { rows } = await snapshot.query<{ highest: string | null; unpublished: number; replay: number }>(
    `SELECT (SELECT max(id) FROM outbox)::text AS highest,
            (SELECT count(*) FROM outbox WHERE published_at IS NULL)::integer AS unpublished,
            (SELECT count(*) FROM outbox WHERE id >= $1::bigint)::integer AS replay`,
    [replayFromOutboxId],
  );
  const row = rows[0]!;
  return {
    takenAt: new Date().toISOString(),
    outbox: { highestId: row.highest, unpublished: row.unpublished },
    eventsToReplay: row.replay,
  };
}
