/** An entity an answer holds: its type, and its id where the answer shows it (without: some instance of the type). */
export interface CacheEntityRecord {
  typename: string;
  id?: string | number;
}

/**
 * The response cache's keys under its prefix (`redisKeys(p).responseCache`,
 * `<p>gateway:{rc}:`), and which of them each script touches. The prefix
 * carries the hash tag that keeps them in one Redis Cluster slot: a script
 * may only touch keys of one slot, and these are read and written together.
 */
export function responseCacheKeys(prefix: string) {
  const keys = {
    /** The invalidation counter. */
    clock: `${prefix}clock`,
    /** A stored answer; `response('')` is the prefix of them all (the fence's and the invalidation script's). */
    response: (id: string) => `${prefix}response:${id}`,
    /** Answers holding this entity with its id. */
    entity: ({ typename, id }: CacheEntityRecord) => `${prefix}entity:${typename}:${String(id)}`,
    entityStamp: ({ typename, id }: CacheEntityRecord) => `${prefix}invalidated:${typename}:${String(id)}`,
    /** Answers holding a `<Type>` whose id the client did not select. */
    unidentified: ({ typename }: CacheEntityRecord) => `${prefix}unidentified:${typename}`,
    someStamp: ({ typename }: CacheEntityRecord) => `${prefix}invalidated-some:${typename}`,
    /** Every answer holding a `<Type>`. */
    type: ({ typename }: CacheEntityRecord) => `${prefix}type:${typename}`,
    typeStamp: ({ typename }: CacheEntityRecord) => `${prefix}invalidated-type:${typename}`,
  };
  const identified = (entity: CacheEntityRecord) => entity.id !== undefined && entity.id !== null;
  return {
    ...keys,
    /** What an answer holding these entities is refused by (stamps), and where it is listed (sets). */
    holding(entities: Iterable<CacheEntityRecord>) {
      const stamps = new Set<string>();
      const sets = new Set<string>();
      for (const entity of entities) {
        if (identified(entity)) {
          stamps.add(keys.entityStamp(entity)).add(keys.typeStamp(entity));
          sets.add(keys.entity(entity)).add(keys.type(entity));
        } else {
          stamps.add(keys.someStamp(entity));
          sets.add(keys.unidentified(entity)).add(keys.type(entity));
        }
      }
      return { stamps: [...stamps], sets: [...sets] };
    },
    /** What invalidating these entities drops (sets) and stamps; one without id stands for every one of its type. */
    invalidating(entities: Iterable<CacheEntityRecord>) {
      const stamps = new Set<string>();
      const sets = new Set<string>();
      for (const entity of entities) {
        stamps.add(keys.someStamp(entity));
        if (identified(entity)) {
          sets.add(keys.entity(entity)).add(keys.unidentified(entity));
          stamps.add(keys.entityStamp(entity));
        } else {
          sets.add(keys.type(entity));
          stamps.add(keys.typeStamp(entity));
        }
      }
      return { stamps: [...stamps], sets: [...sets] };
    },
  };
}
