import { createHmac, randomBytes } from 'node:crypto';

/** The claims the API reads from a verified token. */
export interface Claims {
  /** The user's id. */
  sub?: string;
  /** Space-separated scopes (OAuth 2 style), for example `admin`. */
  scope?: string;
  [claim: string]: unknown;
}

/** The scope that allows catalog, stock and order-status changes. */
export const ADMIN_SCOPE = 'admin';

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * Mints an HS256 JWT: development tokens printed by `npm start`, and tests.
 * Production tokens come from the identity provider, not from here.
 */
export function mintToken(
  secret: string,
  claims: Claims,
  { issuer, audience, expiresInSeconds = 3600 }: { issuer: string; audience: string; expiresInSeconds?: number },
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({ iss: issuer, aud: audience, iat: now, exp: now + expiresInSeconds, ...claims }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A random secret long enough for HS256 (development only: `npm start` without JWT_SECRET). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
