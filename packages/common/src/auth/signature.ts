import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request extension that carries the gateway's HMAC signature (Hive Gateway's default name). */
export const SIGNATURE_EXTENSION = 'hmac-signature';
/** The request extension that carries the verified token claims the gateway forwards (`{ payload }`). */
export const CLAIMS_EXTENSION = 'jwt';
/**
 * The request extension that carries when the request was signed (Unix seconds,
 * signed with it): a subgraph refuses a signature older than its window, so a
 * captured request cannot be replayed later.
 */
export const SIGNED_AT_EXTENSION = 'signed-at';

/**
 * Signing time as the gateway writes it: whole seconds, so identical requests
 * sent at once stay identical and the gateway can still de-duplicate them.
 */
export const signingTime = (now = Date.now()): number => Math.floor(now / 1000);

/** What a signature covers: the operation, its variables and the forwarded claims. */
export interface SignedContent {
  query: string;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

/** JSON with object keys sorted, so both ends serialise the same content the same way. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/**
 * The bytes the gateway signs and a subgraph verifies: query, non-empty
 * variables, the forwarded claims (so claims cannot be added or changed
 * on the way) and the signing time, never the signature itself.
 */
export function signedPayload({ query, variables, extensions }: SignedContent): string {
  return canonicalJson({
    query,
    variables: variables && Object.keys(variables).length > 0 ? variables : undefined,
    claims: extensions?.[CLAIMS_EXTENSION],
    signedAt: extensions?.[SIGNED_AT_EXTENSION],
  });
}

/** Base64 HMAC-SHA256 of the signed payload, as the gateway's `hmacSignature` plugin writes it. */
export function signRequest(secret: string, content: SignedContent): string {
  return createHmac('sha256', secret).update(signedPayload(content)).digest('base64');
}

/**
 * The extensions of a request signed now (or at `now`, in ms): the given ones
 * (forwarded claims), the signing time and the signature. For callers other
 * than the gateway: subgraphs reading from each other, tests, benchmarks.
 */
export function signedExtensions(
  secret: string,
  { query, variables, extensions }: SignedContent,
  now = Date.now(),
): Record<string, unknown> {
  const timed = { ...extensions, [SIGNED_AT_EXTENSION]: signingTime(now) };
  return { ...timed, [SIGNATURE_EXTENSION]: signRequest(secret, { query, variables, extensions: timed }) };
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
  const { query, variables, extensions } = body as Record<string, unknown>;
  if (typeof query !== 'string' || !extensions || typeof extensions !== 'object') return false;
  const given = (extensions as Record<string, unknown>)[SIGNATURE_EXTENSION];
  if (typeof given !== 'string') return false;
  const signedAt = (extensions as Record<string, unknown>)[SIGNED_AT_EXTENSION];
  if (typeof signedAt !== 'number' || !Number.isInteger(signedAt)) return false;
  if (Math.abs(signingTime(now) - signedAt) > maxAgeSeconds) return false;
  const expected = Buffer.from(
    signRequest(secret, {
      query,
      variables: variables as Record<string, unknown> | null,
      extensions: extensions as Record<string, unknown>,
    }),
  );
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
