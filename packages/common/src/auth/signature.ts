import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { operationKind } from './operation-kind.js';

/** The request extension that carries the gateway's HMAC signature (Hive Gateway's default name). */
export const SIGNATURE_EXTENSION = 'hmac-signature';
/**
 * The request extension of a subscription subscribed again after its connection
 * dropped: the stream position of the last event it had (`events/live.ts`), signed
 * with the rest, so the subgraph replays what came after it.
 */
export const RESUME_EXTENSION = 'resume-after';
/** The request extension that carries the verified token claims the gateway forwards (`{ payload }`). */
export const CLAIMS_EXTENSION = 'jwt';
/**
 * The request extension that carries when the request was signed (Unix seconds,
 * signed with it): a subgraph refuses a signature older than its window, so a
 * captured request cannot be replayed later.
 */
export const SIGNED_AT_EXTENSION = 'signed-at';
/**
 * The request extension that carries a signed mutation's one-time value (signed
 * with it): a subgraph runs a mutation with a given nonce once, so a captured
 * mutation replayed within the window is refused. Queries and subscriptions
 * carry none, so identical ones stay identical (the gateway de-duplicates them).
 */
export const NONCE_EXTENSION = 'nonce';
/**
 * The request extension that names the subgraph making a service-to-service
 * read (`readFromOwner`), signed with it. Not a token claim: the gateway forwards
 * only verified token payloads (`extensions.jwt`) and deletes this extension
 * from every request before it signs, so no client can carry it.
 */
export const SERVICE_EXTENSION = 'service';

/**
 * Signing time as the gateway writes it: whole seconds, so identical requests
 * sent at once stay identical and the gateway can still de-duplicate them.
 */
export const signingTime = (now = Date.now()): number => Math.floor(now / 1000);

/** What a signature covers: the operation, its variables and the forwarded claims. */
export interface SignedContent {
  query: string;
  /** Which operation of `query` runs: signed, so it cannot be changed on the way. */
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

/**
 * JSON with object keys sorted, so both ends serialise the same content the
 * same way. Made by the engine's own `JSON.stringify`, handed each object with
 * its keys in order (several times faster than assembling the text here, and
 * it is on every signed subgraph request and response-cache lookup); an object
 * with an index-like key (`"7"`), which every object lists first whatever the
 * insertion order, is written by `sortedJson` instead. Meant for JSON data.
 */
export function canonicalJson(value: unknown): string {
  try {
    // Keys already in order everywhere (the usual case): no replacer, which the engine runs much faster without.
    return JSON.stringify(value, inOrder(value) ? undefined : withSortedKeys) ?? 'null';
  } catch (err) {
    if (err !== INDEX_LIKE_KEY) throw err;
    return sortedJson(value);
  }
}

const INDEX_LIKE_KEY = new Error('an object with an index-like key');
const INDEX_LIKE = /^(?:0|[1-9]\d*)$/;

/** Whether every object in `value` has its keys in order already, none of them index-like. */
function inOrder(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(inOrder);
  let previous: string | undefined;
  for (const key in value) {
    if (INDEX_LIKE.test(key) || (previous !== undefined && previous > key)) return false;
    previous = key;
    if (!inOrder((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

function withSortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let ordered = true;
  for (let i = 0; i < keys.length; i++) {
    if (INDEX_LIKE.test(keys[i]!)) throw INDEX_LIKE_KEY;
    if (i > 0 && keys[i - 1]! > keys[i]!) ordered = false;
  }
  if (ordered) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of keys.sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}

/** The same text, assembled here: for objects whose key order the engine would not keep. */
function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => sortedJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${sortedJson(item)}`).join(',')}}`;
}

/**
 * The bytes the gateway signs and a subgraph verifies: query, operation name,
 * non-empty variables (everything that decides what runs), the forwarded claims
 * or service identity (so who asks cannot be added or changed on the way), the
 * signing time, a mutation's nonce and a resumed subscription's position; never
 * the signature itself.
 */
export function signedPayload({ query, operationName, variables, extensions }: SignedContent): string {
  return canonicalJson({
    query,
    operationName: operationName || undefined,
    variables: variables && Object.keys(variables).length > 0 ? variables : undefined,
    claims: extensions?.[CLAIMS_EXTENSION],
    service: extensions?.[SERVICE_EXTENSION],
    signedAt: extensions?.[SIGNED_AT_EXTENSION],
    nonce: extensions?.[NONCE_EXTENSION],
    resumeAfter: extensions?.[RESUME_EXTENSION],
  });
}

/** Base64 HMAC-SHA256 of the signed payload, as the gateway's `hmacSignature` plugin writes it. */
export function signRequest(secret: string, content: SignedContent): string {
  return createHmac('sha256', secret).update(signedPayload(content)).digest('base64');
}

/**
 * The extensions of a request signed now (or at `now`, in ms): the given ones
 * (forwarded claims or a service identity), the signing time, a fresh nonce when
 * the operation is a mutation, and the signature. For callers other than the
 * gateway: subgraphs reading from each other, tests, benchmarks. Send
 * `operationName` in the body exactly as given here.
 */
export function signedExtensions(
  secret: string,
  { query, operationName, variables, extensions }: SignedContent,
  now = Date.now(),
): Record<string, unknown> {
  const timed: Record<string, unknown> = { ...extensions, [SIGNED_AT_EXTENSION]: signingTime(now) };
  if (operationKind(query, operationName) === 'mutation') timed[NONCE_EXTENSION] = randomUUID();
  const signature = signRequest(secret, { query, operationName, variables, extensions: timed });
  return { ...timed, [SIGNATURE_EXTENSION]: signature };
}

/** How old a signature a subgraph accepts (SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS), either way of its clock. */
export interface SignatureWindow {
  maxAgeSeconds: number;
  /** The subgraph's clock, in ms (tests). Default now. */
  now?: number;
}

/**
 * Whether a request body carries a valid signature for `secret` (constant-time
 * comparison), made within the window: a signing time more than `maxAgeSeconds`
 * away from the subgraph's clock, or none, is refused like a forged signature.
 */
export function verifyRequestSignature(
  secret: string,
  body: unknown,
  { maxAgeSeconds, now = Date.now() }: SignatureWindow,
): boolean {
  if (!body || typeof body !== 'object') return false;
  const { query, operationName, variables, extensions } = body as Record<string, unknown>;
  if (typeof query !== 'string' || !extensions || typeof extensions !== 'object') return false;
  if (operationName != null && typeof operationName !== 'string') return false;
  const given = (extensions as Record<string, unknown>)[SIGNATURE_EXTENSION];
  if (typeof given !== 'string') return false;
  const signedAt = (extensions as Record<string, unknown>)[SIGNED_AT_EXTENSION];
  if (typeof signedAt !== 'number' || !Number.isInteger(signedAt)) return false;
  if (Math.abs(signingTime(now) - signedAt) > maxAgeSeconds) return false;
  const expected = Buffer.from(
    signRequest(secret, {
      query,
      operationName,
      variables: variables as Record<string, unknown> | null,
      extensions: extensions as Record<string, unknown>,
    }),
  );
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
