import type { EntityCache } from './entity-cache.js';

/** In-process cache with expiry, used only when no Redis URL is configured. */
export class MemoryCache implements EntityCache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    const now = Date.now();
    return keys.map((key) => {
      const entry = this.entries.get(key);
      if (!entry) return null;
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        return null;
      }
      return entry.value;
    });
  }

  async setMany(entries: readonly (readonly [string, string])[], ttlSeconds: number): Promise<void> {
    const expiresAt = Date.now() + ttlSeconds * 1000;
    for (const [key, value] of entries) {
      // Re-inserting moves the key to the end, so the oldest key is evicted first.
      this.entries.delete(key);
      this.entries.set(key, { value, expiresAt });
    }
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const now = Date.now();
    const entry = this.entries.get(key);
    const live = entry && entry.expiresAt > now ? entry : { value: '0', expiresAt: now + windowMs };
    const count = Number(live.value) + 1;
    this.entries.delete(key);
    this.entries.set(key, { value: String(count), expiresAt: live.expiresAt });
    // Bounded like every entry (a flood of new keys evicts the least recently counted ones).
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return { count, resetInMs: live.expiresAt - now };
  }
}
