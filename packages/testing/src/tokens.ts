import {
  ADMIN_SCOPE,
  mintToken,
  signedExtensions,
  type Claims,
  type Env,
  type GraphQLResponse,
} from '@polystore/common';

/** The secrets every test stack runs with (fixed: tests mint tokens the stack accepts). */
export const TEST_AUTH_ENV = {
  JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
  JWT_ISSUER: 'polystore-test',
  JWT_AUDIENCE: 'polystore-test',
  SUBGRAPH_SIGNING_SECRET: 'test-subgraph-secret-0123456789abcdef01234',
} as const satisfies Env;

/**
 * A token the test stack accepts: `sub` is the user id, `scope` space-separated
 * scopes. `expiresInSeconds` may be negative (an expired token); `secret`,
 * `issuer`, `audience` override the stack's to make tokens it must refuse.
 */
export function testToken(
  claims: Claims = {},
  options: { expiresInSeconds?: number; secret?: string; issuer?: string; audience?: string } = {},
): string {
  return mintToken(options.secret ?? TEST_AUTH_ENV.JWT_SECRET, claims, {
    issuer: options.issuer ?? TEST_AUTH_ENV.JWT_ISSUER,
    audience: options.audience ?? TEST_AUTH_ENV.JWT_AUDIENCE,
    expiresInSeconds: options.expiresInSeconds ?? 3600,
  });
}

/** A token with the admin scope (catalog, stock and order-status changes). */
export const adminToken = (sub = '00000000-0000-4000-8000-000000000000') => testToken({ sub, scope: ADMIN_SCOPE });

/** Request headers carrying `token` (for `graphqlRequest(url, query, variables, { headers })`). */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Headers of a request made as an admin. */
export const asAdmin = () => bearer(adminToken());

/**
 * A request straight to a subgraph of the test stack, signed as the gateway
 * signs (subgraphs refuse unsigned ones), optionally with forwarded claims.
 */
export async function signedSubgraphRequest<Data = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  claims?: Claims,
): Promise<GraphQLResponse<Data>> {
  const extensions = signedExtensions(TEST_AUTH_ENV.SUBGRAPH_SIGNING_SECRET, {
    query,
    variables,
    extensions: claims ? { jwt: { payload: claims } } : {},
  });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables, extensions }),
  });
  return (await response.json()) as GraphQLResponse<Data>;
}
