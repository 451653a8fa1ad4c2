/**
 * Every Redis key of the product is named here, from the deployment's
 * REDIS_KEY_PREFIX (`p`): services, gateway and tools (backups, restores,
 * the consistency checker) take their names from this one place. The layout,
 * who may touch what and which keys share a slot: docs/architecture.md,
 * "Redis keys and who may touch them".
 *
 * Redis Cluster places a key by the CRC16 of its name, or of its hash tag
 * when it has one (the text between its first `{` and the next `}`). Keys
 * are spread over the slots (one per entity, operation, counter, nonce), so
 * no master holds the whole product, except where one command or script must
 * touch several keys at once: those share a tag. The only such family is the
 * gateway's response cache (`gateway:{rc}:`), whose Lua scripts check stamps
 * and write answers and sets atomically. Multi-key commands on keys that
 * need not share a slot (an entity cache's MGET and DEL, a flush's UNLINK)
 * are split by slot (`slotGroups`, `slots.ts`).
 */
export function redisKeys(prefix: string) {
  return {
    /**
     * A service's own keys, `<p><namespace>:` (`REDIS_SERVICES`, `acl.ts`): a subgraph's
     * entity cache (the loaders append `<type>:<id>`, `cachedEntity`), the gateway's families below.
     */
    namespace: (namespace: string) => `${prefix}${namespace}:`,
    /** The durable domain-event stream and its consumer groups. */
    eventStream: `${prefix}events`,
    /** Events no consumer could apply, kept for operators (and in backups). */
    deadLetters: `${prefix}events:dead`,
    /** A signed mutation already run: one key per nonce, shared by every subgraph. */
    nonce: (nonce: string) => `${prefix}nonce:${nonce}`,
    /** Registered operations (APQ and the allow-list), one key per SHA-256; backups copy them. */
    persistedQueries: `${prefix}${PERSISTED_QUERY_NAMESPACE}`,
    /** A rate-limit budget, one counter per caller (hashed identity). */
    rateLimit: (budget: string) => `${prefix}gateway:ratelimit:${budget}`,
    /**
     * The gateway's response cache: answers, their sets, stamps and clock,
     * all under one hash tag, since its scripts touch them together.
     */
    responseCache: `${prefix}gateway:${RESPONSE_CACHE_TAG}:`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;

/** Where registered operations live under the prefix (`<p>gateway:pq:<sha256>`); backups and restores read it. */
export const PERSISTED_QUERY_NAMESPACE = 'gateway:pq:';

/** The hash tag that keeps the response cache in one slot (a Redis Cluster master). */
export const RESPONSE_CACHE_TAG = '{rc}';
