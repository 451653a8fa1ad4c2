import { ADMIN_SCOPE, generateSecret, mintToken, type Config, type Env } from '@polystore/common';

/**
 * `npm start` on a fresh machine: where no token verification and no subgraph
 * signing secret are configured, random development secrets, so the stack
 * runs locked as in production. They live as long as the stack (and in its
 * `stack.json`, for `npm run seed`).
 */
export function developmentAuthEnv(env: Env): Record<string, string> {
  const generated: Record<string, string> = {};
  if (!env.JWT_SECRET && !env.JWT_JWKS_URL) generated.JWT_SECRET = generateSecret();
  if (!env.SUBGRAPH_SIGNING_SECRET) generated.SUBGRAPH_SIGNING_SECRET = generateSecret();
  return generated;
}

/** Token lifetime of development and seeding tokens: a working day. */
const DEVELOPMENT_TOKEN_SECONDS = 12 * 3600;

/** A token with the admin scope, or undefined when the gateway verifies tokens from an identity provider (JWKS). */
export function adminToken(config: Config): string | undefined {
  return developmentToken(config, { sub: '00000000-0000-4000-8000-000000000000', scope: ADMIN_SCOPE });
}

/** A token for one user (`sub`), signed with the configured HS256 secret. */
export function developmentToken(config: Config, claims: { sub: string; scope?: string }): string | undefined {
  const { jwtSecret, jwksUrl, issuer, audience } = config.auth;
  if (!jwtSecret || jwksUrl) return undefined;
  return mintToken(jwtSecret, claims, { issuer, audience, expiresInSeconds: DEVELOPMENT_TOKEN_SECONDS });
}

/** `Authorization` header for a token, or none. */
export const authorization = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};
