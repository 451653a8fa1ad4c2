import {
  checkEvent,
  createInvalidator,
  dispatchEvents,
  DeadLetter,
  EVENT_NAMES,
  payloadProblems,
  type DomainEvent,
} from '../src/index.js';

const ORDER = '0b7c1a52-3f1e-4a39-9a54-1f0e7c1d2e01';
const USER = '5d2e9a7c-8b41-4c6f-a0d3-2b9e6f4a1c02';
const PRODUCT = 'c41f6e2a-7d93-4b58-8e16-9a3b5c7d0e03';

/** One valid payload per event, as the triggers (and the mongo- and storage-subgraphs) write them. */
const VALID = {
  OrderPlaced: { orderId: ORDER, userId: USER, status: 'PENDING', total: { amount: 2500, currency: 'USD' } },
  OrderStatusChanged: { orderId: ORDER, userId: USER, from: 'PENDING', to: 'PAID' },
  InventoryChanged: { productId: PRODUCT, stock: 7, delta: -3 },
  ProductCreated: { productId: PRODUCT },
  ProductUpdated: { productId: PRODUCT },
  ProductDeleted: { productId: PRODUCT, sku: 'SKU-1' },
  UserUpdated: { userId: USER },
  UserDeleted: { userId: USER },
  ReviewAdded: { reviewId: ORDER, productId: PRODUCT },
  AssetUploaded: { key: `products/${PRODUCT}/photo.png`, ownerType: 'products', ownerId: PRODUCT },
};
const AGGREGATES: Record<string, [string, string]> = {
  OrderPlaced: ['Order', ORDER],
  OrderStatusChanged: ['Order', ORDER],
  InventoryChanged: ['Product', PRODUCT],
  ProductCreated: ['Product', PRODUCT],
  ProductUpdated: ['Product', PRODUCT],
  ProductDeleted: ['Product', PRODUCT],
  UserUpdated: ['User', USER],
  UserDeleted: ['User', USER],
  ReviewAdded: ['Review', ORDER],
  AssetUploaded: ['Asset', `products/${PRODUCT}/photo.png`],
};

const event = (type: string, payload: unknown, overrides: Partial<DomainEvent> = {}): DomainEvent => {
  const [aggregateType, aggregateId] = AGGREGATES[type] ?? ['Thing', PRODUCT];
  return { id: '1', type, aggregateType, aggregateId, payload, occurredAt: new Date(0).toISOString(), ...overrides };
};

describe('event contract', () => {
  it('covers exactly the events the services write', () => {
    expect([...EVENT_NAMES].sort()).toEqual(Object.keys(VALID).sort());
  });

  it.each(Object.entries(VALID))('accepts a well-formed %s', (type, payload) => {
    expect(payloadProblems(type as keyof typeof VALID, payload)).toEqual([]);
    expect(checkEvent(event(type, payload))).toEqual({ ok: true, event: event(type, payload) });
  });

  it('accepts fields it does not know, so a producer can add one first', () => {
    expect(payloadProblems('UserDeleted', { userId: USER, email: 'a@example.com' })).toEqual([]);
  });

  it.each([
    ['OrderPlaced', { orderId: 'o-1' }, 'payload.orderId must be a UUID, got "o-1"'],
    ['OrderPlaced', { userId: 42 }, 'payload.userId must be a UUID, got 42'],
    [
      'OrderPlaced',
      { status: 'LOST' },
      'payload.status must be one of PENDING, PAID, SHIPPED, DELIVERED, CANCELLED, got "LOST"',
    ],
    ['OrderPlaced', { total: 2500 }, 'payload.total must be an object, got 2500'],
    [
      'OrderPlaced',
      { total: { amount: '2500', currency: 'USD' } },
      'payload.total.amount must be an integer, got "2500"',
    ],
    [
      'OrderPlaced',
      { total: { amount: 2500, currency: 'usd' } },
      'payload.total.currency must be a 3-letter currency code, got "usd"',
    ],
    [
      'OrderStatusChanged',
      { from: null },
      'payload.from must be one of PENDING, PAID, SHIPPED, DELIVERED, CANCELLED, got null',
    ],
    [
      'OrderStatusChanged',
      { to: undefined },
      'payload.to must be one of PENDING, PAID, SHIPPED, DELIVERED, CANCELLED, got nothing',
    ],
    ['InventoryChanged', { stock: 1.5 }, 'payload.stock must be an integer, got 1.5'],
    ['InventoryChanged', { delta: '3' }, 'payload.delta must be an integer, got "3"'],
    ['InventoryChanged', { productId: undefined }, 'payload.productId must be a UUID, got nothing'],
    ['ProductUpdated', { productId: [] }, 'payload.productId must be a UUID, got []'],
    ['ProductDeleted', { sku: '' }, 'payload.sku must be a non-empty string, got ""'],
    ['UserUpdated', { userId: null }, 'payload.userId must be a UUID, got null'],
    ['UserDeleted', { userId: {} }, 'payload.userId must be a UUID, got {}'],
  ] as const)('names the malformed field of %s %j', (type, change, problem) => {
    expect(payloadProblems(type, { ...VALID[type], ...change })).toEqual([problem]);
  });

  it('names every malformed field at once, and a payload that is not an object', () => {
    expect(payloadProblems('InventoryChanged', { productId: PRODUCT, stock: null })).toEqual([
      'payload.stock must be an integer, got null',
      'payload.delta must be an integer, got nothing',
    ]);
    expect(payloadProblems('UserDeleted', 'gone')).toEqual(['payload must be an object, got "gone"']);
    expect(payloadProblems('UserDeleted', null)).toEqual(['payload must be an object, got null']);
  });

  it('refuses an unknown type, a wrong aggregate and an aggregate id that is not the payload id', () => {
    expect(checkEvent(event('OrderShipped', {}))).toEqual({ ok: false, reason: 'unknown event type "OrderShipped"' });
    expect(checkEvent(event('UserDeleted', VALID.UserDeleted, { aggregateType: 'Product' }))).toEqual({
      ok: false,
      reason: 'malformed UserDeleted event: aggregateType must be User, got "Product"',
    });
    expect(checkEvent(event('UserDeleted', VALID.UserDeleted, { aggregateId: PRODUCT }))).toEqual({
      ok: false,
      reason: `malformed UserDeleted event: aggregateId must equal payload.userId, got "${PRODUCT}"`,
    });
    expect(checkEvent(event('ProductDeleted', { productId: PRODUCT }))).toEqual({
      ok: false,
      reason: 'malformed ProductDeleted event: payload.sku must be a non-empty string, got nothing',
    });
  });
});

describe('typed dispatch', () => {
  it('hands a checked payload to its handler and skips events without one, unread', async () => {
    const deleted: string[] = [];
    const dispatch = dispatchEvents({
      ProductDeleted: async ({ productId, sku }, { id }) => void deleted.push(`${id}:${productId}:${sku}`),
    });
    await dispatch(event('ProductDeleted', VALID.ProductDeleted));
    // Known but unhandled: acknowledged without a look at its payload.
    await expect(dispatch(event('UserDeleted', { userId: 'not checked' }))).resolves.toBeUndefined();
    expect(deleted).toEqual([`1:${PRODUCT}:SKU-1`]);
  });

  it('turns an unknown type or a malformed payload into a dead letter with the reason', async () => {
    const dispatch = dispatchEvents({ ProductDeleted: async () => undefined });
    await expect(dispatch(event('Mystery', {}))).rejects.toEqual(new DeadLetter('unknown event type "Mystery"'));
    await expect(dispatch(event('ProductDeleted', { productId: PRODUCT, sku: 7 }))).rejects.toEqual(
      new DeadLetter('malformed ProductDeleted event: payload.sku must be a non-empty string, got 7'),
    );
  });

  it("drops what the service's table names after the handler, also for events it only invalidates for", async () => {
    const steps: string[] = [];
    const invalidator = createInvalidator(
      { product: { invalidate: async (ids: readonly string[]) => void steps.push(`invalidate ${ids}`) } },
      {
        ProductDeleted: ({ productId }) => ({ product: [productId] }),
        ProductUpdated: ({ productId }) => ({ product: [productId] }),
      },
    );
    const dispatch = dispatchEvents({ ProductDeleted: async () => void steps.push('handle') }, invalidator);
    await dispatch(event('ProductDeleted', VALID.ProductDeleted));
    await dispatch(event('ProductUpdated', VALID.ProductUpdated));
    await expect(dispatch(event('ProductUpdated', { productId: 7 }))).rejects.toBeInstanceOf(DeadLetter);
    expect(steps).toEqual(['handle', `invalidate ${PRODUCT}`, `invalidate ${PRODUCT}`]);
  });
});
