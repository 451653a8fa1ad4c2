import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './client.js';

/**
 * The Redis Cluster slot of a key, as Redis computes it (`keyHashSlot` in
 * its cluster.c): CRC16 (XMODEM) of the key's bytes, or of its hash tag, the
 * text between the first `{` and the next `}` when that is not empty. Not
 * ioredis's `cluster-key-slot`, which hashes `a{}{b}` by `{b` where Redis
 * hashes the whole key: grouping by it could put two slots in one command.
 */
export function keySlot(key: string): number {
  const bytes = Buffer.from(key);
  const open = bytes.indexOf(0x7b);
  const close = open === -1 ? -1 : bytes.indexOf(0x7d, open + 1);
  const hashed = close > open + 1 ? bytes.subarray(open + 1, close) : bytes;
  return crc16(hashed) & 0x3fff;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/**
 * The keys in groups that one multi-key command may take: on a cluster, one
 * group per slot (Redis refuses a command whose keys are in two slots with
 * CROSSSLOT, and ioredis refuses a pipeline spanning two masters); on one
 * server, all of them together.
 */
export function slotGroups(redis: RedisClient, keys: readonly string[]): string[][] {
  if (!(redis instanceof Cluster)) return keys.length === 0 ? [] : [[...keys]];
  const groups = new Map<number, string[]>();
  for (const key of keys) {
    const slot = keySlot(key);
    const group = groups.get(slot);
    if (group) group.push(key);
    else groups.set(slot, [key]);
  }
  return [...groups.values()];
}

/** Keys SCAN found on one server, with the connection to that server (which serves each of them). */
export interface ScannedKeys {
  keys: string[];
  server: Redis;
}

/**
 * Every key matching `pattern`, a SCAN page at a time. SCAN walks one
 * server's keys, so on a cluster it walks every master in turn; each page
 * comes with the connection to its master, on which single-key commands for
 * those keys can be pipelined (a multi-key command still needs `slotGroups`).
 */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 1_000): AsyncGenerator<ScannedKeys> {
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield { keys, server };
    } while (cursor !== '0');
  }
}

/** Unlinks keys SCAN found on `server`, in one round trip (one UNLINK per key: they may be in different slots). */
export async function unlinkScanned({ keys, server }: ScannedKeys): Promise<number> {
  const pipeline = server.pipeline();
  for (const key of keys) pipeline.unlink(key);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
  return results.reduce((sum, [, removed]) => sum + Number(removed), 0);
}
