import DataLoader from 'dataloader';
import type { Config } from './config/config.js';
import { notFound, serviceUnavailable } from './errors.js';
import { isUuid } from './ids.js';
import { ownerOf, subgraphDefaultUrl, type OwnedEntity } from './subgraphs.js';

/** Whether entities another subgraph owns exist, asked per request (batched). */
export type ReferenceLoader = DataLoader<{ type: OwnedEntity; id: string }, boolean, string>;

export interface ReferenceCheckerOptions {
  subgraphUrls: Config['subgraphUrls'];
  /** Milliseconds to wait for the owner before failing with SERVICE_UNAVAILABLE. Default 5000. */
  timeoutMs?: number;
  /** Headers every lookup carries (for example the gateway's signature, once subgraphs require one). */
  headers?: () => Record<string, string>;
}

const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }`;

/**
 * Asks the subgraph that owns an entity type (the registry's `owns`) whether
 * ids exist, through its federation `_entities` field: the owner's answer, at
 * once, with no wait for the event stream, so a product created a moment ago
 * is found. One HTTP request per owner per batch; the owner's own loaders and
 * Redis cache make repeated lookups cheap. Malformed ids do not exist.
 */
export function createReferenceChecker({ subgraphUrls, timeoutMs = 5_000, headers }: ReferenceCheckerOptions) {
  async function lookup(owner: ReturnType<typeof ownerOf>, keys: { type: OwnedEntity; id: string }[]) {
    const url = subgraphUrls[owner.name] ?? subgraphDefaultUrl(owner);
    let body: { data?: { _entities?: ({ __typename: string } | null)[] }; errors?: { message: string }[] };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers?.() },
        body: JSON.stringify({
          query: ENTITIES,
          variables: { representations: keys.map(({ type, id }) => ({ __typename: type, id: id.toLowerCase() })) },
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = (await response.json()) as typeof body;
    } catch (err) {
      throw serviceUnavailable(`${owner.service} cannot be reached to check references`, {
        reason: err instanceof Error ? err.message : String(err),
      });
    }
    const entities = body.data?._entities;
    if (!entities || entities.length !== keys.length) {
      throw serviceUnavailable(`${owner.service} did not answer a reference check`, {
        reason: body.errors?.map((error) => error.message).join('; ') ?? 'no _entities in the answer',
      });
    }
    return entities.map((entity) => entity !== null);
  }

  return {
    /** A loader for one request: ask `load({ type: 'Product', id })`, get whether it exists. */
    loader(): ReferenceLoader {
      return new DataLoader(
        async (keys) => {
          const answers = new Map<string, boolean>();
          const byOwner = new Map<ReturnType<typeof ownerOf>, { type: OwnedEntity; id: string }[]>();
          for (const key of keys) {
            if (!isUuid(key.id)) answers.set(`${key.type}:${key.id}`, false);
            else byOwner.set(ownerOf(key.type), [...(byOwner.get(ownerOf(key.type)) ?? []), key]);
          }
          await Promise.all(
            [...byOwner].map(async ([owner, ownerKeys]) => {
              const found = await lookup(owner, ownerKeys);
              ownerKeys.forEach((key, i) => answers.set(`${key.type}:${key.id}`, found[i]!));
            }),
          );
          return keys.map((key) => answers.get(`${key.type}:${key.id}`)!);
        },
        { cacheKeyFn: ({ type, id }) => `${type}:${id.toLowerCase()}` },
      );
    },
  };
}

export type ReferenceChecker = ReturnType<typeof createReferenceChecker>;

/** Fails with NOT_FOUND unless the entity exists in the subgraph that owns it. */
export async function requireReference(references: ReferenceLoader, type: OwnedEntity, id: string): Promise<void> {
  if (!(await references.load({ type, id })))
    throw notFound(`${type.toLowerCase()} ${id} does not exist`, { type, id });
}
