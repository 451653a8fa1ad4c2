import { redisKeys, type RedisClient } from '@polystore/common';
import { unpublishedEvents } from '@polystore/sql-subgraph/operations';
import type { ConsistencyReport, Tallies } from './report.js';
import type { Stores } from './stores.js';

/** XINFO's flat [name, value, …] answer as an object. */
const fieldsOf = (flat: unknown[]): Record<string, unknown> =>
  Object.fromEntries(flat.flatMap((value, i) => (i % 2 === 0 ? [[String(value), flat[i + 1]]] : [])));

/** Per consumer group, the events on the stream it has not applied yet (read but unacknowledged, or unread). */
async function unappliedEvents(redis: RedisClient, stream: string): Promise<Record<string, number>> {
  if ((await redis.exists(stream)) === 0) return {};
  const groups = ((await redis.xinfo('GROUPS', stream)) as unknown[][]).map(fieldsOf);
  return Object.fromEntries(
    groups.map((group) => [String(group.name), Number(group.pending ?? 0) + Number(group.lag ?? 0)]),
  );
}

/**
 * Redis holds the one piece of cross-store state that is not cache: the
 * domain-event stream that carries PostgreSQL's changes to MongoDB and S3.
 * An event in the dead-letter stream was never applied by some consumer: a
 * finding, sampled as `<group>: <reason>`. Events still in the outbox or not
 * yet applied by a group are changes in flight, reported beside the findings.
 * Caches, pub/sub and the gateway's own keys reference no other store's data.
 */
export async function checkEvents(
  { sql, redis, keyPrefix }: Stores,
  tallies: Tallies,
  samples: number,
): Promise<ConsistencyReport['inFlight']> {
  const unpublished = await unpublishedEvents(sql);
  if (!redis) return { unpublishedEvents: unpublished, unappliedEvents: null };
  const { eventStream: stream, deadLetters: dead } = redisKeys(keyPrefix);
  const deadCount = await redis.xlen(dead);
  if (deadCount > 0) {
    const newest = await redis.xrevrange(dead, '+', '-', 'COUNT', samples);
    const ids = newest.map(([, flat]) => {
      const fields = fieldsOf(flat);
      return `${String(fields.group)}: ${String(fields.reason)}`;
    });
    tallies.foundMany('deadLetters', deadCount, ids);
  }
  return { unpublishedEvents: unpublished, unappliedEvents: await unappliedEvents(redis, stream) };
}
