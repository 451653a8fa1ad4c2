/** Most lookups remembered at once; past it the oldest are forgotten (their answers are then not stored). */
const MAX_PENDING = 10_000;

/**
 * When each response still being computed began, as the invalidation counter
 * read at its cache miss, kept in this process until its answer is stored.
 * Two requests for one response keep the earlier start, so neither answer
 * is stored as fresher than it is. Bounded in size and age: a request that
 * never stores (errors, no TTL) leaves an entry that expires.
 */
export function createExecutionStarts(maxAgeMs: number) {
  const pending = new Map<string, { clock: number; at: number }>();
  return {
    begin(id: string, clock: number) {
      const now = Date.now();
      const earlier = pending.get(id);
      if (earlier && now - earlier.at <= maxAgeMs && earlier.clock <= clock) return;
      pending.delete(id);
      pending.set(id, { clock, at: now });
      if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
    },
    /** The start recorded for `id`, forgotten now; undefined when none (or too old to trust). */
    end(id: string): number | undefined {
      const started = pending.get(id);
      pending.delete(id);
      return started && Date.now() - started.at <= maxAgeMs ? started.clock : undefined;
    },
  };
}
