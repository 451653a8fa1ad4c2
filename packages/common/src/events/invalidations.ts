import type { ContractEvent, EventName, EventPayloads } from './contract.js';

/** Anything that can drop ids from a cache: a service's cached entities. */
type Invalidatable = Record<string, { invalidate(ids: readonly string[]): Promise<void> }>;

/** What one event makes stale in a service's cache: ids, by cached entity. */
export type Stale<C> = { [K in keyof C]?: readonly string[] };

/**
 * A service's one table from domain events to the cache entries they make
 * stale. Events it leaves out change nothing the service caches.
 */
export type Invalidations<C> = { [E in EventName]?: (payload: EventPayloads[E]) => Stale<C> };

export interface Invalidator {
  /** Whether the event makes anything stale here. */
  covers(type: EventName): boolean;
  /** Drops what the events make stale, one call per cached entity. Never throws. */
  invalidate(events: readonly ContractEvent[]): Promise<void>;
}

/** Binds a service's invalidation table to its cached entities. */
export function createInvalidator<C extends Invalidatable>(entities: C, table: Invalidations<C>): Invalidator {
  return {
    covers: (type) => table[type] !== undefined,
    async invalidate(events) {
      const ids = new Map<keyof C, Set<string>>();
      for (const event of events) {
        const staleOf = table[event.type] as ((payload: unknown) => Stale<C>) | undefined;
        for (const [entity, stale] of Object.entries(staleOf?.(event.payload) ?? {}) as [keyof C, string[]][]) {
          const set = ids.get(entity) ?? new Set<string>();
          for (const id of stale) set.add(id);
          ids.set(entity, set);
        }
      }
      await Promise.all([...ids].map(([entity, set]) => entities[entity]!.invalidate([...set])));
    },
  };
}
