import type { PersistedQueryStore } from './redis-store.js';
import { operationHash } from './redis-store.js';

/**
 * Registers a manifest of operations (`{ "<sha256>": "<operation text>" }`, the hash optionally written `sha256:<hex>`:
 * what graphql-codegen's client preset writes with `persistedDocuments`)
 * for the allow-list. An entry whose hash does not match its text is refused.
 */
export async function registerManifest(
  store: PersistedQueryStore,
  manifest: Record<string, string>,
): Promise<{ registered: number; refused: string[] }> {
  const refused: string[] = [];
  let registered = 0;
  for (const [id, query] of Object.entries(manifest)) {
    // Client presets may name the algorithm: `sha256:<hex>`.
    const hash = id.replace(/^sha256:/, '');
    if (typeof query !== 'string' || operationHash(query) !== hash) {
      refused.push(id);
      continue;
    }
    await store.set(hash, query);
    registered++;
  }
  return { registered, refused };
}
