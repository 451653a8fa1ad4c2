/**
 * The product's Redis keys on a Redis Cluster: which share a slot and which
 * are spread, and how multi-key commands are split so that none spans two
 * slots (a cluster refuses it with CROSSSLOT). The system test
 * `test/system/redis-cluster.test.ts` runs the stack on a real cluster.
 */
import { Cluster, Redis } from 'ioredis';
import { keySlot, redisKeys, slotGroups } from '../src/index.js';

const PREFIXES = ['polystore:', '', 'tenant-7:', 'odd{prefix:'];

describe('keySlot', () => {
  it('computes the slots Redis computes (CLUSTER KEYSLOT), hash tags included', () => {
    // Values from the Redis documentation and `redis-cli CLUSTER KEYSLOT`.
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo{hash_tag}')).toBe(2515);
    expect(keySlot('{hash_tag}bar')).toBe(2515);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    // An empty tag is no tag: the whole name counts (ioredis's own slot function says 4015 for both).
    expect(keySlot('foo{}{bar}')).toBe(8363);
    expect(keySlot('{}{bar}')).toBe(11272);
    expect(keySlot('foo{{bar}}zap')).toBe(4015);
    // Multi-byte characters count as their UTF-8 bytes.
    expect(keySlot('produit:é')).toBe(3714);
  });
});

describe('the key layout', () => {
  it.each(PREFIXES)('puts every key under the prefix %j', (prefix) => {
    const keys = redisKeys(prefix);
    for (const key of [
      keys.namespace('sql'),
      keys.eventStream,
      keys.deadLetters,
      keys.nonce('n'),
      keys.persistedQueries,
      keys.rateLimit('b'),
      keys.responseCache,
    ]) {
      expect(key.startsWith(prefix)).toBe(true);
    }
  });

  it('spreads the families whose keys are used one at a time over many slots', () => {
    const keys = redisKeys('polystore:');
    const ids = Array.from({ length: 50 }, (_, i) => `id-${i}`);
    for (const family of [
      (id: string) => `${keys.namespace('sql')}Product:${id}`,
      keys.nonce,
      (id: string) => keys.persistedQueries + id,
      keys.rateLimit,
    ]) {
      expect(new Set(ids.map((id) => keySlot(family(id)))).size).toBeGreaterThan(40);
    }
    // The stream and its dead letters are never touched by one command: they need not share a slot.
    expect(keySlot(keys.eventStream)).not.toBe(keySlot(keys.deadLetters));
  });
});

describe('slotGroups', () => {
  const keys = Array.from({ length: 40 }, (_, i) => `polystore:sql:User:${i}`);

  it('keeps every key in one group on a single server', () => {
    const server = new Redis({ lazyConnect: true });
    expect(slotGroups(server, keys)).toEqual([keys]);
    expect(slotGroups(server, [])).toEqual([]);
    server.disconnect();
  });

  it('splits the keys by slot on a cluster, every key in exactly one group of one slot', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    const tagged = ['a{t}', 'b{t}', 'c{t}'];
    const groups = slotGroups(cluster, [...keys, ...tagged]);
    expect(groups.flat().sort()).toEqual([...keys, ...tagged].sort());
    for (const group of groups) expect(new Set(group.map(keySlot)).size).toBe(1);
    expect(groups).toContainEqual(tagged);
    expect(groups.length).toBeGreaterThan(30);
    cluster.disconnect();
  });
});
