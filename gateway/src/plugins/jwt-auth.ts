import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { createSecretKey } from 'node:crypto';
import { createRemoteJwksSigningKeyProvider, useJWT, type ExtractTokenFunction } from '@graphql-mesh/plugin-jwt-auth';
import { ErrorCode } from '@polystore/common';
import { GraphQLError } from 'graphql';
import type { PluginContext } from './index.js';

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Unauthenticated, http: { status: 401 } } });
}

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
 * Verifies client JWTs (JWT_SECRET for HS256, or JWT_JWKS_URL for RS256/ES256) with
 * issuer, audience, expiry and bounded clock skew; `alg: none` is never accepted. A
 * request without a token goes on anonymous (public reads); a bad token is refused
 * with UNAUTHENTICATED. Verified claims are forwarded to the subgraphs in
 * `extensions.jwt.payload` (signed by the subgraph-signature plugin, which runs after).
 * Absent when neither secret nor JWKS URL is configured.
 */
export function jwtAuthPlugins({ config }: PluginContext): GatewayPlugin[] {
  const { jwtSecret, jwksUrl, issuer, audience, clockSkewSeconds } = config.auth;
  if (!jwtSecret && !jwksUrl) return [];
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
  return [withUnauthenticatedCode(jwt), useUnauthenticatedCode()];
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

/** A refusal of the JWT plugin: the error it threw, with the code UNAUTHENTICATED. */
function coded(err: unknown): never {
  if (err instanceof GraphQLError && !err.extensions?.['code'] && refusals.has(err.message)) {
    throw unauthenticated('the token is invalid, expired, or not for this API');
  }
  throw err;
}

/**
 * Over graphql-ws no HTTP result is processed, so the JWT plugin's refusals get
 * their code where they are thrown: its context hooks are wrapped.
 */
function withUnauthenticatedCode(plugin: GatewayPlugin): GatewayPlugin {
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
            const original = inner[hook] as ((...args: unknown[]) => unknown) | undefined;
            if (!original) continue;
            wrapped[hook] = (...args: unknown[]) => {
              try {
                const result = original.apply(inner, args);
                return result instanceof Promise ? result.catch(coded) : result;
              } catch (err) {
                return coded(err);
              }
            };
          }
          payload.addPlugin(wrapped as Parameters<typeof payload.addPlugin>[0]);
        },
      });
    },
  };
}

/** The JWT plugin's refusals carry an HTTP status but no code: give them UNAUTHENTICATED. */
const refusals = new Set(['Unauthenticated', 'Invalid authentication token provided']);

function useUnauthenticatedCode(): GatewayPlugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || !('errors' in result)) return;
      const errors = (result as { errors?: readonly GraphQLError[] }).errors;
      if (!errors?.some((error) => refusals.has(error.message) && !error.extensions?.['code'])) return;
      setResult({
        ...result,
        errors: errors.map((error) =>
          refusals.has(error.message) && !error.extensions?.['code']
            ? unauthenticated('the token is invalid, expired, or not for this API')
            : error,
        ),
      });
    },
  };
}
