import type { ContractEvent, EventName, EventPayloads } from './contract.js';

/**
 * What one event makes stale in a cache: ids, by what the cache holds them
 * under (a service's cached entity, the gateway's GraphQL type).
 */
export type Stale<Entity extends string> = { [K in Entity]?: readonly string[] };

/**
 * One table from domain events to the cache entries they make stale: each
 * service has one for its entity cache, the gateway one for its response
 * cache. Events it leaves out change nothing that cache holds.
 */
export type Invalidations<Entity extends string> = {
  [E in EventName]?: (payload: EventPayloads[E]) => Stale<Entity>;
};

export interface Invalidator {
  /** Whether the event makes anything stale here. */
  covers(type: EventName): boolean;
  /** Drops what the events make stale, one call per cached entity. Never throws. */
  invalidate(events: readonly ContractEvent[]): Promise<void>;
}

/**
 * Binds an invalidation table to what drops the entries: `drop` gets what a
 * batch of events made stale, ids by entity without repeats, in one call.
 */
export function bindInvalidations<Entity extends string>(
  table: Invalidations<Entity>,
  drop: (stale: Map<Entity, string[]>) => Promise<void>,
): Invalidator {
  return {
    covers: (type) => table[type] !== undefined,
    async invalidate(events) {
      const ids = new Map<Entity, Set<string>>();
      for (const event of events) {
        const staleOf = table[event.type] as ((payload: unknown) => Stale<Entity>) | undefined;
        for (const [entity, stale] of Object.entries(staleOf?.(event.payload) ?? {}) as [Entity, string[]][]) {
          const set = ids.get(entity) ?? new Set<string>();
          for (const id of stale) set.add(id);
          ids.set(entity, set);
        }
      }
      if (ids.size > 0) await drop(new Map([...ids].map(([entity, set]) => [entity, [...set]])));
    },
  };
}

/** Anything that can drop ids from a cache: a service's cached entities. */
type Invalidatable = Record<string, { invalidate(ids: readonly string[]): Promise<void> }>;

/** Binds a service's invalidation table to its cached entities: one `invalidate` per entity. */
export function createInvalidator<C extends Invalidatable>(
  entities: C,
  table: Invalidations<Extract<keyof C, string>>,
): Invalidator {
  return bindInvalidations(table, async (stale) => {
    await Promise.all([...stale].map(([entity, ids]) => entities[entity]!.invalidate(ids)));
  });
}
