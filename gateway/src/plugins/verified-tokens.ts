/** Tokens remembered at once at most; past it the oldest are forgotten (and verified again when next seen). */
const MAX_TOKENS = 10_000;
/** How long a verification is trusted without the key: a rotated-out JWKS key stops being honoured within it. */
const TRUSTED_FOR_MS = 60_000;

/** The claims of a verified token. */
export type TokenClaims = Record<string, unknown> & { sub?: unknown; exp?: unknown; nbf?: unknown };

/**
 * Tokens the JWT plugin verified (signature, issuer, audience, lifetime), by
 * the `Authorization` header they came in, so a response-cache hit answered
 * before the runtime knows who asks without verifying the signature again.
 * What changes with time is checked on every recall as the verifier checks
 * it, with the same clock skew: a token past `exp` (or before `nbf`) is not
 * recalled, and goes through the runtime, which refuses it.
 */
export interface VerifiedTokens {
  remember(authorization: string, claims: TokenClaims): void;
  /** The claims of a token verified less than a minute ago and valid now; undefined otherwise. */
  recall(authorization: string): TokenClaims | undefined;
}

export function verifiedTokens(clockSkewSeconds: number, now: () => number = Date.now): VerifiedTokens {
  const tokens = new Map<string, { claims: TokenClaims; at: number }>();
  return {
    remember(authorization, claims) {
      tokens.delete(authorization);
      tokens.set(authorization, { claims, at: now() });
      if (tokens.size > MAX_TOKENS) tokens.delete(tokens.keys().next().value!);
    },
    recall(authorization) {
      const entry = tokens.get(authorization);
      if (!entry) return undefined;
      const at = now();
      const seconds = at / 1000;
      const { exp, nbf } = entry.claims;
      const valid =
        at - entry.at < TRUSTED_FOR_MS &&
        typeof exp === 'number' &&
        seconds < exp + clockSkewSeconds &&
        (typeof nbf !== 'number' || nbf <= seconds + clockSkewSeconds);
      if (valid) return entry.claims;
      tokens.delete(authorization);
      return undefined;
    },
  };
}
