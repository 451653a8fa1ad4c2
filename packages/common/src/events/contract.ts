import { isUuid } from '../ids.js';
import type { DomainEvent } from '../redis/event-stream.js';

/**
 * The domain events on the durable stream: their names, payloads, the
 * aggregate each belongs to and the service that appends it. The sql-subgraph's
 * outbox triggers write its events (migrations/1764000100000_orders_and_outbox.up.sql;
 * a test there runs the triggers and holds them to this file); the mongo- and
 * storage-subgraphs append theirs after the write (`appendEvent`). Every
 * consumer reads them through `checkEvent`, so a payload is checked before a
 * handler sees it.
 */

export const ORDER_STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface Money {
  amount: number;
  currency: string;
}

export interface EventPayloads {
  OrderPlaced: { orderId: string; userId: string; status: OrderStatus; total: Money };
  OrderStatusChanged: { orderId: string; userId: string; from: OrderStatus; to: OrderStatus };
  /** Written on a product's creation too, with `delta` equal to the stock. */
  InventoryChanged: { productId: string; stock: number; delta: number };
  /** A product was created (its InventoryChanged with the opening stock follows). */
  ProductCreated: { productId: string };
  /** sku, name or price changed. */
  ProductUpdated: { productId: string };
  ProductDeleted: { productId: string; sku: string };
  /** email or name changed. */
  UserUpdated: { userId: string };
  UserDeleted: { userId: string };
  /** A review was written (the mongo-subgraph's; live subscriptions only, no consumer acts on it). */
  ReviewAdded: { reviewId: string; productId: string };
  /** An upload completed: the asset's object key and what it belongs to (the storage-subgraph's; live only). */
  AssetUploaded: { key: string; ownerType: string; ownerId: string };
}

export type EventName = keyof EventPayloads;

/** A domain event whose type is in the contract and whose payload passed its check. */
export type ContractEvent<E extends EventName = EventName> = {
  [K in E]: Omit<DomainEvent, 'type' | 'payload'> & { type: K; payload: EventPayloads[K] };
}[E];

/** Pub/sub topic maps that carry payloads of the contract, for example `EventTopics<'InventoryChanged'>`. */
export type EventTopics<E extends EventName> = { [K in E]: [EventPayloads[K]] };

/** Checks one value; on failure it records `<path> must be …` and returns false. */
type Field<T> = (value: unknown, path: string, problems: string[]) => value is T;
type Shape<T> = { [K in keyof T]-?: Field<T[K]> };

const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

function field<T>(expected: string, test: (value: unknown) => boolean): Field<T> {
  return (value, path, problems): value is T => {
    if (test(value)) return true;
    problems.push(`${path} must be ${expected}, got ${show(value)}`);
    return false;
  };
}

const uuid = field<string>('a UUID', (value) => typeof value === 'string' && isUuid(value));
const text = field<string>('a non-empty string', (value) => typeof value === 'string' && value.length > 0);
const integer = field<number>('an integer', Number.isSafeInteger);
const currency = field<string>(
  'a 3-letter currency code',
  (value) => typeof value === 'string' && /^[A-Z]{3}$/.test(value),
);
const orderStatus = field<OrderStatus>(`one of ${ORDER_STATUSES.join(', ')}`, (value) =>
  (ORDER_STATUSES as readonly unknown[]).includes(value),
);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An object with these fields; other fields are allowed, so a producer can add one before its consumers read it. */
function object<T>(shape: Shape<T>): Field<T> {
  return (value, path, problems): value is T => {
    if (!isRecord(value)) {
      problems.push(`${path} must be an object, got ${show(value)}`);
      return false;
    }
    const before = problems.length;
    for (const [name, check] of Object.entries<Field<unknown>>(shape)) check(value[name], `${path}.${name}`, problems);
    return problems.length === before;
  };
}

const money = object<Money>({ amount: integer, currency });

const PAYLOADS: { [E in EventName]: Shape<EventPayloads[E]> } = {
  OrderPlaced: { orderId: uuid, userId: uuid, status: orderStatus, total: money },
  OrderStatusChanged: { orderId: uuid, userId: uuid, from: orderStatus, to: orderStatus },
  InventoryChanged: { productId: uuid, stock: integer, delta: integer },
  ProductCreated: { productId: uuid },
  ProductUpdated: { productId: uuid },
  ProductDeleted: { productId: uuid, sku: text },
  UserUpdated: { userId: uuid },
  UserDeleted: { userId: uuid },
  ReviewAdded: { reviewId: uuid, productId: uuid },
  AssetUploaded: { key: text, ownerType: text, ownerId: uuid },
};

/** The aggregate an event is about, and the payload field that holds its id (the event's `aggregateId`). */
export const EVENT_AGGREGATES = {
  OrderPlaced: ['Order', 'orderId'],
  OrderStatusChanged: ['Order', 'orderId'],
  InventoryChanged: ['Product', 'productId'],
  ProductCreated: ['Product', 'productId'],
  ProductUpdated: ['Product', 'productId'],
  ProductDeleted: ['Product', 'productId'],
  UserUpdated: ['User', 'userId'],
  UserDeleted: ['User', 'userId'],
  ReviewAdded: ['Review', 'reviewId'],
  AssetUploaded: ['Asset', 'key'],
} as const satisfies { [E in EventName]: readonly [string, keyof EventPayloads[E]] };

export const EVENT_NAMES = Object.keys(PAYLOADS) as EventName[];

/** The service that appends each event: the sql-subgraph through its outbox, the others after their write. */
export const EVENT_PRODUCERS = {
  OrderPlaced: 'sql',
  OrderStatusChanged: 'sql',
  InventoryChanged: 'sql',
  ProductCreated: 'sql',
  ProductUpdated: 'sql',
  ProductDeleted: 'sql',
  UserUpdated: 'sql',
  UserDeleted: 'sql',
  ReviewAdded: 'mongo',
  AssetUploaded: 'storage',
} as const satisfies { [E in EventName]: 'sql' | 'mongo' | 'storage' };

/** The events one service appends. */
export const eventsProducedBy = (service: 'sql' | 'mongo' | 'storage'): EventName[] =>
  EVENT_NAMES.filter((name) => EVENT_PRODUCERS[name] === service);

export const isEventName = (type: string): type is EventName => Object.hasOwn(PAYLOADS, type);

/** The top-level payload fields of an event, as the contract names them. */
export const payloadFields = (type: EventName): string[] => Object.keys(PAYLOADS[type]);

/** What is wrong with a payload for `type`, one line per field (empty when it is valid). */
export function payloadProblems(type: EventName, payload: unknown): string[] {
  const problems: string[] = [];
  object(PAYLOADS[type] as Shape<unknown>)(payload, 'payload', problems);
  return problems;
}

export type EventCheck = { ok: true; event: ContractEvent } | { ok: false; reason: string };

/**
 * Reads a stream event against the contract: a known type, the aggregate that
 * type belongs to, and a payload whose every field has the declared type.
 */
export function checkEvent(event: DomainEvent): EventCheck {
  if (!isEventName(event.type)) return { ok: false, reason: `unknown event type ${show(event.type)}` };
  const [aggregateType, idField] = EVENT_AGGREGATES[event.type];
  const problems = payloadProblems(event.type, event.payload);
  if (event.aggregateType !== aggregateType) {
    problems.push(`aggregateType must be ${aggregateType}, got ${show(event.aggregateType)}`);
  }
  if (problems.length === 0 && event.aggregateId !== (event.payload as Record<string, unknown>)[idField]) {
    problems.push(`aggregateId must equal payload.${idField}, got ${show(event.aggregateId)}`);
  }
  if (problems.length > 0) return { ok: false, reason: `malformed ${event.type} event: ${problems.join('; ')}` };
  return { ok: true, event: event as ContractEvent };
}
