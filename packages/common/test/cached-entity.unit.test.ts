import { cachedEntity, createInvalidator, MemoryCache, type ContractEvent } from '../src/index.js';

const settings = () => ({ cache: new MemoryCache(), keyPrefix: 'p:svc:', ttlSeconds: 60 });

/** A store whose values change under the cache, counting its reads. */
function store() {
  const values = new Map([
    ['a', 1],
    ['b', 1],
  ]);
  let reads = 0;
  return {
    values,
    reads: () => reads,
    load: async (ids: readonly string[]) => {
      reads++;
      return ids.map((id) => (values.has(id) ? { id, version: values.get(id)! } : null));
    },
  };
}

describe('a cached entity', () => {
  it('keys Redis entries by its type, and each request gets its own loader', async () => {
    const cacheSettings = settings();
    const source = store();
    const thing = cachedEntity<{ id: string; version: number }>(cacheSettings, 'Thing', { load: source.load });
    await thing.loader().load('a');
    expect(await cacheSettings.cache.getMany(['p:svc:Thing:a'])).toEqual([JSON.stringify({ id: 'a', version: 1 })]);
    await thing.loader().load('a');
    expect(source.reads()).toBe(1);
  });

  it("invalidates outside a request: the next request's loader reads the store", async () => {
    const source = store();
    const thing = cachedEntity<{ id: string; version: number }>(settings(), 'Thing', { load: source.load });
    await thing.loader().loadMany(['a', 'b']);
    source.values.set('a', 2);
    await thing.invalidate(['a']);
    expect(await thing.loader().loadMany(['a', 'b'])).toEqual([
      { id: 'a', version: 2 },
      { id: 'b', version: 1 },
    ]);
  });

  it("a request's loader invalidates both levels: its own entry and Redis", async () => {
    const source = store();
    const thing = cachedEntity<{ id: string; version: number }>(settings(), 'Thing', { load: source.load });
    const request = thing.loader();
    await request.load('a');
    source.values.set('a', 2);
    await request.invalidate(['a']);
    expect(await request.load('a')).toEqual({ id: 'a', version: 2 });
    expect(await thing.loader().load('a')).toEqual({ id: 'a', version: 2 });
  });
});

describe('an invalidation table', () => {
  it('drops what each event makes stale, with one call per cached entity', async () => {
    const calls: [string, string[]][] = [];
    const entity = (name: string) => ({
      invalidate: async (ids: readonly string[]) => void calls.push([name, [...ids]]),
    });
    const invalidator = createInvalidator(
      { product: entity('product'), user: entity('user') },
      {
        InventoryChanged: ({ productId }) => ({ product: [productId] }),
        UserDeleted: ({ userId }) => ({ user: [userId] }),
      },
    );
    const event = (type: string, payload: object) => ({ id: '1', type, payload }) as unknown as ContractEvent;
    expect(invalidator.covers('InventoryChanged')).toBe(true);
    expect(invalidator.covers('OrderPlaced')).toBe(false);
    await invalidator.invalidate([
      event('InventoryChanged', { productId: 'p1' }),
      event('OrderPlaced', { orderId: 'o1' }),
      event('InventoryChanged', { productId: 'p2' }),
      event('InventoryChanged', { productId: 'p1' }),
      event('UserDeleted', { userId: 'u1' }),
    ]);
    expect(calls).toEqual([
      ['product', ['p1', 'p2']],
      ['user', ['u1']],
    ]);
  });
});
