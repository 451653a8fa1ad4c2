import { createHash } from 'node:crypto';
import { canonicalJson, type Config } from '@polystore/common';

/**
 * What every id of one gateway starts with: the served supergraph's identity
 * (set by the cache plugin on each schema change, `supergraphIdentity`) and
 * the admission settings. Shared by the cache plugin and the early answer.
 */
export interface IdScope {
  supergraph?: string;
  readonly settings: string;
}

/**
 * The id a Node request was looked up under before the runtime, and missed:
 * the cache plugin does not look it up again (the miss already marked when
 * its answer began).
 */
export const LOOKED_UP_BEFORE_RUNTIME = Symbol('response id looked up before the runtime');

/** What a request asks, as the runtime's params and the early answer both read it from a POST body. */
export interface RequestedOperation {
  query?: string | null;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } | null;
}

/** The persisted-query hash a request sends (`extensions.persistedQuery.sha256Hash`), if any. */
export function persistedHashOf({ extensions }: Pick<RequestedOperation, 'extensions'>): string | undefined {
  const hash = extensions?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' && hash !== '' ? hash : undefined;
}

/**
 * The operation a request names: its persisted hash when it sends one (APQ or
 * the allow-list; the text then comes from the store, or must match the hash),
 * else its text. The two are kept apart, so a text the allow-list would refuse
 * never finds an answer stored for a registered hash.
 */
export function documentOf(operation: RequestedOperation): string | undefined {
  const hash = persistedHashOf(operation);
  if (hash !== undefined) return `hash:${hash}`;
  const { query } = operation;
  if (typeof query !== 'string' || query === '') return undefined;
  return `text:${query}`;
}

/**
 * The settings a request is admitted by before anything is executed: a stored
 * answer was admitted under them, and is served again only while they hold
 * (a restart with other limits, token rules or persisted-query mode changes
 * every id).
 */
export function admissionSettings(config: Config): string {
  const { limits, persistedQueries, introspection } = config.gateway;
  const { issuer, audience, maxLifetimeSeconds, jwksUrl } = config.auth;
  return createHash('sha256')
    .update(
      canonicalJson({
        limits,
        persistedQueries: persistedQueries.mode,
        introspection,
        auth: { issuer, audience, maxLifetimeSeconds, jwks: jwksUrl ?? null },
      }),
    )
    .digest('base64url');
}

/**
 * The id an answer is stored under: the served supergraph's identity, the
 * admission settings, the operation (`documentOf`), its name and variables, and
 * the caller's `Authorization` header as sent. The one place it is computed,
 * for the cache plugin and for hits answered before the runtime alike.
 */
export function responseId(
  { supergraph, settings }: Required<IdScope>,
  document: string,
  { operationName, variables }: RequestedOperation,
  authorization: string | null,
): string {
  return createHash('sha256')
    .update(canonicalJson([supergraph, settings, document, operationName ?? null, variables ?? {}, authorization]))
    .digest('base64url');
}
