import type { RedisClient } from './client.js';
import type { Logger } from '../logger.js';

/**
 * Removes from a consumer group the consumers that are gone: idle longer than
 * `idleMs` and holding no pending event. Every restart of a service joins the
 * group under a new name (host and pid), so without this each restart would
 * leave its name behind for good. A dead consumer's pending events are first
 * claimed by the live ones (XAUTOCLAIM after the retry delay), which is why
 * only consumers with none are deleted: XGROUP DELCONSUMER drops what a
 * consumer still holds. A live consumer refreshes its idle time at every
 * blocking read (at most a second apart), so it is never mistaken for a gone one.
 */
export async function removeGoneConsumers(
  redis: RedisClient,
  { key, group, self, idleMs, log }: { key: string; group: string; self: string; idleMs: number; log: Logger },
): Promise<string[]> {
  const consumers = (await redis.xinfo('CONSUMERS', key, group)) as (string | number)[][];
  const removed: string[] = [];
  for (const fields of consumers) {
    const field = (name: string) => fields[fields.indexOf(name) + 1];
    const name = String(field('name'));
    if (name === self || Number(field('pending')) > 0 || Number(field('idle')) <= idleMs) continue;
    const dropped = Number(await redis.xgroup('DELCONSUMER', key, group, name));
    // Nothing should have been pending; if a delivery slipped in between, say so (it is lost to this group).
    if (dropped > 0) log.warn({ group, consumer: name, dropped }, 'removed a gone consumer that still held events');
    removed.push(name);
  }
  if (removed.length > 0) log.info({ group, consumers: removed }, 'removed consumers that are gone from the group');
  return removed;
}
