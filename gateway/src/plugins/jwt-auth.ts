import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { createSecretKey } from 'node:crypto';
import { createRemoteJwksSigningKeyProvider, useJWT, type ExtractTokenFunction } from '@graphql-mesh/plugin-jwt-auth';
import { ErrorCode, type Config } from '@polystore/common';
import { GraphQLError } from 'graphql';
import type { SpendBudget } from './rate-limit-budget.js';
import { INVALID_TOKEN, JWT_PLUGIN_REFUSALS, unauthenticated } from './token-refusals.js';
import type { TokenClaims, VerifiedTokens } from './verified-tokens.js';

/** `Bearer <token>` from a header or connection parameter; anything else is refused, not ignored. */
function bearer(value: unknown): { token: string; prefix: string } | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const match = typeof value === 'string' ? /^Bearer +([A-Za-z0-9_.~+/=-]+)$/.exec(value.trim()) : null;
  if (!match) throw unauthenticated('the Authorization value must be "Bearer <token>"');
  return { token: match[1]!, prefix: 'Bearer' };
}

/** HTTP: the Authorization header. */
const fromHeader: ExtractTokenFunction = ({ request }) =>
  typeof request?.headers?.get === 'function' ? bearer(request.headers.get('authorization')) : undefined;

/** graphql-ws: `connectionParams: { Authorization: 'Bearer …' }`, read once at subscribe time. */
const fromConnectionParams: ExtractTokenFunction = ({ serverContext }) => {
  const params = serverContext?.['connectionParams'] as Record<string, unknown> | undefined;
  if (!params || typeof params !== 'object') return undefined;
  return bearer(params['Authorization'] ?? params['authorization']);
};

/**
 * Why a verified token is still refused: it never expires, or it lives longer than
 * JWT_MAX_LIFETIME_SECONDS (`exp − iat`; without `iat`, from now to `exp`, so a
 * token minted to outlive the limit is refused from the start). Undefined when it may be used.
 */
export function lifetimeProblem(payload: unknown, maxLifetimeSeconds: number, skewSeconds: number): string | undefined {
  const { exp, iat } = (payload ?? {}) as { exp?: unknown; iat?: unknown };
  if (typeof exp !== 'number') return 'the token must expire (it has no exp)';
  const lifetime = typeof iat === 'number' ? exp - iat : exp - Date.now() / 1000 - skewSeconds;
  if (lifetime > maxLifetimeSeconds) return `the token may live at most ${maxLifetimeSeconds} s (exp − iat)`;
  return undefined;
}

/**
 * Verifies client JWTs (JWT_SECRET for HS256, or JWT_JWKS_URL for RS256/ES256) with
 * issuer, audience, expiry and bounded clock skew; `alg: none` is never accepted; `exp`
 * is required and the lifetime bounded (JWT_MAX_LIFETIME_SECONDS). A request without a
 * token goes on anonymous (public reads); a bad token is refused with UNAUTHENTICATED,
 * after it has spent one request of its address's rate-limit budget (a flood of bad
 * tokens ends in 429s). Verified claims are forwarded to the subgraphs in
 * `extensions.jwt.payload` (signed by the subgraph-signature plugin, which runs after).
 * A token verified over HTTP is remembered in `tokens`, by its Authorization
 * header, for response-cache hits answered before the runtime.
 * Absent when neither secret nor JWKS URL is configured.
 */
export function useJwtAuth(
  auth: Config['auth'],
  /** The rate limit's budget (`rate-limit-budget.ts`); undefined when rate limits are off. */
  spend: SpendBudget | undefined,
  /** Where a token verified over HTTP is remembered (`verified-tokens.ts`). */
  tokens: VerifiedTokens,
): GatewayPlugin | undefined {
  const { jwtSecret, jwksUrl, issuer, audience, clockSkewSeconds, maxLifetimeSeconds } = auth;
  if (!jwtSecret && !jwksUrl) return undefined;
  const jwt = useJWT({
    signingKeyProviders: [
      jwksUrl
        ? createRemoteJwksSigningKeyProvider({ jwksUri: jwksUrl, cache: true, rateLimit: true, timeout: 5_000 })
        : inlineSecretKey(jwtSecret!),
    ],
    tokenLookupLocations: [fromHeader, fromConnectionParams],
    tokenVerification: {
      algorithms: jwksUrl ? ['RS256', 'ES256'] : ['HS256'],
      issuer,
      audience,
      clockTolerance: clockSkewSeconds,
    },
    reject: { missingToken: false, invalidToken: true },
    forward: { payload: true, token: false },
  }) as GatewayPlugin;
  /** A token refusal, after it has spent its address's budget (the 429 instead, once that is spent). */
  const refuse = async (err: unknown, hookContext: Record<string, unknown>): Promise<never> => {
    const refusal = tokenRefusal(err);
    if (!refusal) throw err;
    // Counted by address: a token that does not verify names nobody.
    const { jwt: _unverified, ...address } = hookContext;
    const transport = 'connectionParams' in hookContext ? 'graphql-ws' : 'http';
    throw (await spend?.(address as Parameters<SpendBudget>[0], transport)) ?? refusal;
  };
  const checkLifetime = (payload: unknown) => {
    const problem = lifetimeProblem(payload, maxLifetimeSeconds, clockSkewSeconds);
    if (problem) throw unauthenticated(problem);
  };
  return withUnauthenticatedCode(jwt, refuse, checkLifetime, tokens);
}

/**
 * The HS256 secret as a KeyObject made once. Given a string, jsonwebtoken first
 * tries to parse it as a public key on every verification, and that failed parse
 * cost about 7% of the gateway's CPU under load; a KeyObject is used as it is.
 * The provider's type says string, but the plugin hands the key to jsonwebtoken,
 * which takes either.
 */
function inlineSecretKey(secret: string): () => string {
  const key = createSecretKey(Buffer.from(secret));
  return () => key as unknown as string;
}

/** A refusal of a token (the JWT plugin's, with the code UNAUTHENTICATED, or ours); undefined for any other error. */
function tokenRefusal(err: unknown): GraphQLError | undefined {
  if (!(err instanceof GraphQLError)) return undefined;
  if (err.extensions?.['code'] === ErrorCode.Unauthenticated) return err;
  if (!err.extensions?.['code'] && JWT_PLUGIN_REFUSALS.has(err.message)) return unauthenticated(INVALID_TOKEN);
  return undefined;
}

/**
 * The JWT plugin's context hooks, wrapped: a token it verified must also pass
 * `check` (its lifetime), and every refusal goes through `refuse` (coded, and
 * counted against the address) where it is thrown, over HTTP and graphql-ws alike
 * (over graphql-ws no HTTP result is processed).
 */
function withUnauthenticatedCode(
  plugin: GatewayPlugin,
  refuse: (err: unknown, hookContext: Record<string, unknown>) => Promise<never>,
  check: (payload: unknown) => void,
  tokens: VerifiedTokens,
): GatewayPlugin {
  const init = plugin.onPluginInit;
  return {
    ...plugin,
    onPluginInit(payload) {
      return init?.({
        ...payload,
        addPlugin: (added) => {
          const inner = added as GatewayPlugin & Record<string, unknown>;
          const wrapped: Record<string, unknown> = { ...inner };
          for (const hook of ['onRequestParse', 'onContextBuilding'] as const) {
            const original = inner[hook] as ((payload: HookPayload) => unknown) | undefined;
            if (!original) continue;
            wrapped[hook] = async (payload: HookPayload) => {
              const hookContext = payload.serverContext ?? payload.context ?? {};
              try {
                // HTTP: the verified claims land on the server context; graphql-ws: through extendContext.
                const extendContext = payload.extendContext;
                const checked = extendContext
                  ? {
                      ...payload,
                      extendContext: (extension: Record<string, unknown>) => {
                        if (extension['jwt']) check((extension['jwt'] as { payload?: unknown }).payload);
                        extendContext(extension);
                      },
                    }
                  : payload;
                await original.call(inner, checked);
                if (payload.serverContext?.['jwt']) {
                  const claims = (payload.serverContext['jwt'] as { payload?: TokenClaims }).payload;
                  check(claims);
                  const authorization = payload.request?.headers.get('authorization');
                  if (claims && authorization) tokens.remember(authorization, claims);
                }
              } catch (err) {
                if (payload.serverContext) delete payload.serverContext['jwt'];
                return refuse(err, hookContext);
              }
            };
          }
          payload.addPlugin(wrapped as Parameters<typeof payload.addPlugin>[0]);
        },
      });
    },
  };
}

/** What the JWT plugin's context hooks are given (onRequestParse: serverContext; onContextBuilding: context). */
type HookPayload = {
  request?: Request;
  serverContext?: Record<string, unknown>;
  context?: Record<string, unknown>;
  extendContext?: (extension: Record<string, unknown>) => void;
};
