/**
 * Every key a response-cache script or MGET touches shares one Redis
 * Cluster slot (the `{rc}` hash tag), whatever the prefix and the entities:
 * a cluster refuses a script or command whose keys span two slots.
 */
import { keySlot, redisKeys } from '@polystore/common';
import { responseCacheKeys } from '../src/plugins/response-cache/keys.js';
import type { CacheEntityRecord } from '../src/plugins/response-cache/redis-store.js';

const ENTITIES: CacheEntityRecord[] = [
  { typename: 'Product', id: 'b7c1a0a2-4a39-4d8e-9d0e-1c2f3a4b5c6d' },
  { typename: 'User', id: 42 },
  { typename: 'Review', id: '65f0c0ffee{tag}' },
  { typename: 'Asset', id: '}{' },
  { typename: 'Order' },
  { typename: 'Produit', id: 'é' },
];

describe.each(['polystore:', '', 'odd{prefix:', '{tenant}:'])('the response cache under the prefix %j', (prefix) => {
  const keys = responseCacheKeys(redisKeys(prefix).responseCache);
  const slot = keySlot(keys.clock);

  it('stores an answer touching only keys of one slot (STORE_SCRIPT)', () => {
    const { stamps, sets } = keys.holding(ENTITIES);
    expect(stamps.length + sets.length).toBeGreaterThan(10);
    for (const key of [keys.response('answer-id'), ...stamps, ...sets]) expect(keySlot(key)).toBe(slot);
  });

  it('invalidates touching only keys of that slot, the answers it deletes included (INVALIDATE_SCRIPT)', () => {
    const { stamps, sets } = keys.invalidating(ENTITIES);
    // The script deletes `response('') .. id` for ids it reads from the sets: every answer's key is in the slot.
    const answers = ['a', 'b{x}', '}', 'sha256:0f'].map(keys.response);
    for (const key of [keys.clock, ...stamps, ...sets, ...answers]) expect(keySlot(key)).toBe(slot);
  });

  it('reads an answer and the clock in one MGET of one slot', () => {
    expect(keySlot(keys.response('some-answer'))).toBe(slot);
  });
});

it('keeps the response cache in one slot and the rest of the gateway spread', () => {
  const keys = redisKeys('polystore:');
  const budgets = Array.from({ length: 20 }, (_, i) => keySlot(keys.rateLimit(`caller-${i}`)));
  expect(new Set(budgets).size).toBeGreaterThan(15);
  expect(keys.responseCache).toBe('polystore:gateway:{rc}:');
});
