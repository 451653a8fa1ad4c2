import { Redis } from 'ioredis';
import { connectRedisLayer, startConsumerGroup, type DomainEvent } from '../src/index.js';
import { servicesOfFile, testRedis } from './support/index.js';

const { log, teardown, own } = servicesOfFile();

const PRODUCT = 'c41f6e2a-7d93-4b58-8e16-9a3b5c7d0e03';
const event = (id: number, type: string, payload: unknown): DomainEvent => ({
  id: String(id),
  type,
  aggregateType: 'Product',
  aggregateId: PRODUCT,
  payload,
  occurredAt: new Date().toISOString(),
});

describe('a consumer group typed by the event contract', () => {
  it('sets aside an unknown type and a malformed payload with their reasons, and handles the good event', async () => {
    const redis = own(await testRedis());
    const layer = await connectRedisLayer({ url: redis.url, keyPrefix: redis.keyPrefix, log, teardown });
    const raw = new Redis(redis.url);
    await layer.events.append([
      event(1, 'ProductRenamed', { productId: PRODUCT }),
      event(2, 'ProductDeleted', { productId: PRODUCT, sku: 42 }),
      event(3, 'InventoryChanged', { productId: PRODUCT, stock: 'lots' }), // no handler: skipped unread
      event(4, 'ProductDeleted', { productId: PRODUCT, sku: 'SKU-1' }),
    ]);

    const handled: string[] = [];
    startConsumerGroup(
      { events: layer.events, group: 'typed', log, teardown, retryAfterMs: 100 },
      { ProductDeleted: async ({ productId, sku }, { id }) => void handled.push(`${id}:${productId}:${sku}`) },
    );

    let dead: [string, string[]][] = [];
    for (let attempt = 0; attempt < 100 && (dead.length < 2 || handled.length < 1); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      dead = await raw.xrange(`${redis.keyPrefix}events:dead`, '-', '+');
    }
    const field = (fields: string[], name: string) => fields[fields.indexOf(name) + 1];
    expect(handled).toEqual([`4:${PRODUCT}:SKU-1`]);
    expect(dead.map(([, fields]) => field(fields, 'reason'))).toEqual([
      'unknown event type "ProductRenamed"',
      'malformed ProductDeleted event: payload.sku must be a non-empty string, got 42',
    ]);
    expect(dead.map(([, fields]) => field(fields, 'group'))).toEqual(['typed', 'typed']);
    // The event itself is kept with its reason, whatever happens to the main stream.
    expect(JSON.parse(field(dead[1]![1], 'event')!)).toMatchObject({ id: '2', type: 'ProductDeleted' });

    // Everything is acknowledged: nothing waits for a retry.
    let pending: unknown[] = [1];
    for (let attempt = 0; attempt < 50 && pending[0] !== 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      pending = (await raw.xpending(`${redis.keyPrefix}events`, 'typed')) as [number, ...unknown[]];
    }
    expect(pending[0]).toBe(0);
    await raw.quit();
  });
});
