import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request extension that carries the gateway's HMAC signature (Hive Gateway's default name). */
export const SIGNATURE_EXTENSION = 'hmac-signature';
/** The request extension that carries the verified token claims the gateway forwards (`{ payload }`). */
export const CLAIMS_EXTENSION = 'jwt';

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
 * variables and the forwarded claims (so claims cannot be added or changed
 * on the way), never the signature itself.
 */
export function signedPayload({ query, variables, extensions }: SignedContent): string {
  return canonicalJson({
    query,
    variables: variables && Object.keys(variables).length > 0 ? variables : undefined,
    claims: extensions?.[CLAIMS_EXTENSION],
  });
}

/** Base64 HMAC-SHA256 of the signed payload, as the gateway's `hmacSignature` plugin writes it. */
export function signRequest(secret: string, content: SignedContent): string {
  return createHmac('sha256', secret).update(signedPayload(content)).digest('base64');
}

/** Whether a request body carries a valid signature for `secret` (constant-time comparison). */
export function verifyRequestSignature(secret: string, body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const { query, variables, extensions } = body as Record<string, unknown>;
  if (typeof query !== 'string' || !extensions || typeof extensions !== 'object') return false;
  const given = (extensions as Record<string, unknown>)[SIGNATURE_EXTENSION];
  if (typeof given !== 'string') return false;
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
