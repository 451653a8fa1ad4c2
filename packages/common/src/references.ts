import DataLoader from 'dataloader';
import type { Config } from './config/config.js';
import { SERVICE_EXTENSION, signedExtensions } from './auth/signature.js';
import { notFound, serviceUnavailable } from './errors.js';
import { isUuid } from './ids.js';
import { ownerOf, subgraphDefaultUrl, type OwnedEntity, type SubgraphDefinition } from './subgraphs.js';

/** Whether entities another subgraph owns exist, asked per request (batched). */
export type ReferenceLoader = DataLoader<{ type: OwnedEntity; id: string }, boolean, string>;

export interface OwnerQueryOptions {
  subgraphUrls: Config['subgraphUrls'];
  /** Milliseconds to wait for the owner before failing with SERVICE_UNAVAILABLE. Default 5000. */
  timeoutMs?: number;
  /** Headers every request carries. */
  headers?: () => Record<string, string>;
  /** SUBGRAPH_SIGNING_SECRET: signs each request as the gateway does, since the owner refuses unsigned ones. */
  signatureSecret?: string;
  /**
   * The asking subgraph's name, signed as its service identity (`extensions.service`):
   * the owner lets it read what a user's rule would refuse (whose an order is),
   * and nothing else. Default `subgraph`.
   */
  service?: string;
}

/**
 * Runs one query on a subgraph, service to service: signed as the gateway
 * signs (the subgraph refuses unsigned requests when a secret is set), with
 * the asking service's identity and no user's claims. An answer without
 * `data`, or a subgraph that cannot be reached, is SERVICE_UNAVAILABLE naming `what`.
 */
export async function querySubgraph<T>(
  { subgraphUrls, timeoutMs = 5_000, headers, signatureSecret, service = 'subgraph' }: OwnerQueryOptions,
  subgraph: SubgraphDefinition,
  query: string,
  variables: Record<string, unknown>,
  what: string,
): Promise<{ data?: T; errors?: { message: string }[] }> {
  const url = subgraphUrls[subgraph.name] ?? subgraphDefaultUrl(subgraph);
  // A service-to-service read carries no user's claims: it asks only what exists and what it is.
  const extensions = signatureSecret
    ? signedExtensions(signatureSecret, { query, variables, extensions: { [SERVICE_EXTENSION]: service } })
    : undefined;
  let body: { data?: T; errors?: { message: string }[] };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers?.() },
      body: JSON.stringify({ query, variables, extensions }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = (await response.json()) as typeof body;
  } catch (err) {
    throw serviceUnavailable(`${subgraph.service} cannot be reached to ${what}`, {
      reason: err instanceof Error ? err.message : String(err),
    });
  }
  if (!body.data) {
    throw serviceUnavailable(`${subgraph.service} did not answer a request to ${what}`, {
      reason: body.errors?.map((error) => error.message).join('; ') ?? 'no data in the answer',
    });
  }
  return body;
}

/**
 * Reads entities from the subgraph that owns their type (the registry's
 * `owns`), through its federation `_entities` field: the owner's answer, at
 * once, one HTTP request for all `ids`. `selection` is what to read of each
 * (for example `id name`); null where the entity does not exist. An owner
 * that cannot be reached, or answers without entities, is SERVICE_UNAVAILABLE.
 */
export async function readFromOwner<T>(
  options: OwnerQueryOptions,
  type: OwnedEntity,
  ids: readonly string[],
  selection: string,
): Promise<(T | null)[]> {
  if (ids.length === 0) return [];
  const owner = ownerOf(type);
  const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${type} { ${selection} } } }`;
  const variables = { representations: ids.map((id) => ({ __typename: type, id: id.toLowerCase() })) };
  const what = `read ${type} entities`;
  const body = await querySubgraph<{ _entities?: (T | null)[] }>(options, owner, query, variables, what);
  const entities = body.data?._entities;
  if (!entities || entities.length !== ids.length) {
    throw serviceUnavailable(`${owner.service} did not answer a read of ${type} entities`, {
      reason: body.errors?.map((error) => error.message).join('; ') ?? 'no _entities in the answer',
    });
  }
  return entities;
}

/**
 * Whether ids of entities another subgraph owns exist, asked of their owner
 * (`readFromOwner`), so a product created a moment ago is found with no wait
 * for the event stream. Batched per request tick, one request per owner and
 * type; the owner's loaders and Redis cache make repeated lookups cheap.
 * Malformed ids do not exist.
 */
export function createReferenceChecker(options: OwnerQueryOptions) {
  return {
    /** A loader for one request: ask `load({ type: 'Product', id })`, get whether it exists. */
    loader(): ReferenceLoader {
      return new DataLoader(
        async (keys) => {
          const answers = new Map<string, boolean>();
          const byType = new Map<OwnedEntity, string[]>();
          for (const { type, id } of keys) {
            if (!isUuid(id)) answers.set(`${type}:${id}`, false);
            else byType.set(type, [...(byType.get(type) ?? []), id]);
          }
          await Promise.all(
            [...byType].map(async ([type, ids]) => {
              const found = await readFromOwner(options, type, ids, '__typename');
              ids.forEach((id, i) => answers.set(`${type}:${id}`, found[i] !== null));
            }),
          );
          return keys.map(({ type, id }) => answers.get(`${type}:${id}`)!);
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
