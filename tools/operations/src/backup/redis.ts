import { globEscape, redisKeys, scanKeys, type RedisClient } from '@polystore/common';
import { PERSISTED_QUERY_NAMESPACE } from '@polystore/gateway/operations';
import type { BackupSet, SetFile } from './set-writer.js';

/**
 * What Redis holds that nothing rebuilds: the registered operations (the
 * persisted-query allow-list, `<prefix>gateway:pq:<sha256>`) and the dead
 * letters (`<prefix>events:dead`: events some consumer never applied, kept
 * for operators). Everything else there is cache, counters, nonces, pub/sub
 * or the event stream, which a restore rebuilds from the outbox
 * (docs/operations.md, _What Redis state is kept_).
 */
export interface RedisCopy {
  keyPrefix: string;
  persistedQueries: number;
  deadLetters: number;
  files: SetFile[];
}

/** One JSON line per registered operation: its hash, text and time left to live (null: none). On a cluster, from every master. */
async function* persistedQueries(redis: RedisClient, keyPrefix: string, counted: () => void): AsyncGenerator<string> {
  const namespace = `${keyPrefix}${PERSISTED_QUERY_NAMESPACE}`;
  for await (const { keys, server } of scanKeys(redis, `${globEscape(namespace)}*`)) {
    const pipeline = server.pipeline();
    for (const key of keys) pipeline.get(key).pttl(key);
    const answers = (await pipeline.exec()) ?? [];
    const lines: string[] = [];
    keys.forEach((key, i) => {
      const [query, ttl] = [answers[2 * i]?.[1], Number(answers[2 * i + 1]?.[1])];
      if (typeof query !== 'string') return; // expired between SCAN and GET
      lines.push(JSON.stringify({ hash: key.slice(namespace.length), query, ttlMs: ttl > 0 ? ttl : null }));
      counted();
    });
    if (lines.length > 0) yield `${lines.join('\n')}\n`;
  }
}

/** One JSON line per dead letter: its stream id and fields, oldest first, a page of 1,000 at a time. */
async function* deadLetters(redis: RedisClient, keyPrefix: string, counted: () => void): AsyncGenerator<string> {
  const stream = redisKeys(keyPrefix).deadLetters;
  let start = '-';
  for (;;) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', 1000);
    if (page.length === 0) return;
    const lines = page.map(([id, flat]) => {
      counted();
      const fields = Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]]] : [])));
      return JSON.stringify({ id, fields });
    });
    yield `${lines.join('\n')}\n`;
    start = `(${page.at(-1)![0]}`;
  }
}

export async function copyRedis(redis: RedisClient, keyPrefix: string, set: BackupSet): Promise<RedisCopy> {
  const counts = { persistedQueries: 0, deadLetters: 0 };
  await set.write(
    'redis/persisted-queries.jsonl',
    persistedQueries(redis, keyPrefix, () => counts.persistedQueries++),
  );
  await set.write(
    'redis/dead-letters.jsonl',
    deadLetters(redis, keyPrefix, () => counts.deadLetters++),
  );
  return { keyPrefix, ...counts, files: set.filesUnder('redis') };
}
