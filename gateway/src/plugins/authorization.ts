import { useGenericAuth, type ValidateUserFnParams } from '@envelop/generic-auth';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { ErrorCode, type Claims, type Config } from '@polystore/common';
import { GraphQLError } from 'graphql';
import { withRememberedDecisions } from './authorization-decisions.js';

function refusal(code: string, message: string, status: number, params: ValidateUserFnParams<Claims>) {
  return new GraphQLError(message, { nodes: [params.fieldNode], extensions: { code, http: { status } } });
}

/** Every alternative of `@requiresScopes(scopes: [[…]])` is a set of scopes that suffices together. */
function hasScopes(required: string[][] | undefined, granted: string[]): boolean {
  return !required?.length || required.some((set) => set.every((scope) => granted.includes(scope)));
}

/**
 * The schema's `@authenticated` and `@requiresScopes` (federation auth directives
 * in the subgraph schemas, kept in the supergraph), enforced by the runtime's
 * generic-auth plugin while the operation is validated, so a refused operation
 * reaches no subgraph: no user is UNAUTHENTICATED (401), missing scopes FORBIDDEN
 * (403). Ownership (whose order it is) is checked by the owning subgraph from the
 * forwarded claims. Absent when no token verification is configured.
 */
export function useAuthorization({ jwtSecret, jwksUrl }: Config['auth']): GatewayPlugin | undefined {
  if (!jwtSecret && !jwksUrl) return undefined;
  const genericAuth = useGenericAuth<Claims, Record<string, unknown>>({
    mode: 'protect-granular',
    resolveUserFn: verifiedClaims,
    validateUser(params) {
      const { user, fieldAuthArgs, typeAuthArgs, fieldScopes, typeScopes, userScopes } = params;
      const needsUser = fieldAuthArgs || typeAuthArgs || fieldScopes?.length || typeScopes?.length;
      if (!needsUser) return undefined;
      if (!user) return refusal(ErrorCode.Unauthenticated, `${params.field.name} needs a signed-in user`, 401, params);
      if (!hasScopes(typeScopes, userScopes) || !hasScopes(fieldScopes, userScopes))
        return refusal(ErrorCode.Forbidden, `${params.field.name} needs the scope it requires`, 403, params);
      return undefined;
    },
  }) as unknown as GatewayPlugin;
  return withRememberedDecisions(genericAuth, verifiedClaims);
}

/** The claims the JWT plugin verified, or null for no signed-in user. */
const verifiedClaims = (context: Record<string, unknown>): Claims | null =>
  (context['jwt'] as { payload?: Claims } | undefined)?.payload ?? null;
