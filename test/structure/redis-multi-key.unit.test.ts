import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every place the product sends Redis a command that can take several keys
 * (or a script, transaction or pipeline), with why its keys are in one
 * Redis Cluster slot. A cluster refuses a command whose keys span two slots
 * (CROSSSLOT), and ioredis refuses a pipeline spanning two masters; on one
 * server nothing complains, so a new call site must say here how it stays
 * cluster-safe. The key layout: `packages/common/src/redis/keys.ts`.
 */
const CLUSTER_SAFE: Record<string, string> = {
  'gateway/src/plugins/response-cache/redis-store.ts eval':
    'the scripts touch response-cache keys only, all under the {rc} tag (response-cache-keys.unit.test.ts)',
  'gateway/src/plugins/response-cache/redis-store.ts mget': 'an answer and the clock, both under the {rc} tag',
  'packages/common/src/redis/event-stream.ts pipeline': 'XADDs to the one stream key, and WAIT (no key)',
  'packages/common/src/redis/event-stream.ts xreadgroup': 'the one stream key',
  'packages/common/src/redis/redis-cache.ts mget': 'one MGET per slot (slotGroups)',
  'packages/common/src/redis/redis-cache.ts pipeline': 'one pipeline per slot (slotGroups)',
  'packages/common/src/redis/redis-cache.ts del': 'one DEL per slot (slotGroups)',
  'packages/common/src/redis/redis-cache.ts eval': 'a script of SET, INCR and PTTL of one counter key',
  'packages/common/src/redis/stream-entries.ts xread': 'the one stream key (the live tail)',
  'packages/common/src/redis/slots.ts pipeline': 'single-key UNLINKs on the server that SCAN found the keys on',
  'packages/common/src/redis/slots.ts unlink': 'one key per UNLINK',
  'tools/operations/src/backup/redis.ts pipeline': 'single-key GET and PTTL on the server that SCAN found the keys on',
  'tools/operations/src/backup/positions.ts exists': 'the one stream key',
  'tools/operations/src/consistency/events.ts exists': 'the one stream key',
  'tools/operations/src/restore/redis.ts exists': 'the one dead-letter stream key',
};

const MULTI_KEY = [
  ...['mget', 'mset', 'msetnx', 'del', 'unlink', 'exists', 'touch', 'eval', 'evalsha', 'evalRo', 'fcall'],
  ...['multi', 'pipeline', 'watch', 'sunion', 'sunionstore', 'sinter', 'sinterstore', 'sintercard', 'sdiff'],
  ...['sdiffstore', 'smove', 'rename', 'renamenx', 'copy', 'lmove', 'blmove', 'lmpop', 'blmpop', 'rpoplpush'],
  ...['brpoplpush', 'blpop', 'brpop', 'bzpopmin', 'bzpopmax', 'zunion', 'zunionstore', 'zinter', 'zinterstore'],
  ...['zdiff', 'zdiffstore', 'zrangestore', 'pfcount', 'pfmerge', 'xread', 'xreadgroup', 'bitop', 'sort'],
];
// ioredis's `…Buffer` variants (`mgetBuffer`) take the same keys.
const CALL = new RegExp(`\\.(${MULTI_KEY.join('|')})(?:Buffer)?\\(`, 'g');
/** A file that talks to Redis: it imports ioredis or takes the product's Redis client. */
const TALKS_TO_REDIS = /from 'ioredis'|\bRedisClient\b/;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['packages', 'services', 'gateway', 'tools'];

function* productSources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'generated', 'test', '.data'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* productSources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

it('knows how every multi-key Redis call of the product stays in one cluster slot', () => {
  const found = new Set<string>();
  for (const tree of SOURCES) {
    for (const file of productSources(join(ROOT, tree))) {
      const text = readFileSync(file, 'utf8');
      if (!TALKS_TO_REDIS.test(text)) continue;
      for (const [, command] of text.matchAll(CALL)) found.add(`${relative(ROOT, file)} ${command}`);
    }
  }
  // Both ways: a new call site must be listed, and a listed one that is gone must be removed.
  expect([...found].sort()).toEqual(Object.keys(CLUSTER_SAFE).sort());
});
