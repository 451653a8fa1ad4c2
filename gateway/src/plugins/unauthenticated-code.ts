import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { Config } from '@polystore/common';
import type { GraphQLError } from 'graphql';
import { INVALID_TOKEN, JWT_PLUGIN_REFUSALS, unauthenticated } from './token-refusals.js';

/**
 * A refusal of the JWT plugin that reaches the HTTP result without a code (it
 * carries only a status) gets UNAUTHENTICATED. Right after the JWT plugin, and
 * absent with it (neither JWT_SECRET nor JWT_JWKS_URL configured).
 */
export function useUnauthenticatedCode({ jwtSecret, jwksUrl }: Config['auth']): GatewayPlugin | undefined {
  if (!jwtSecret && !jwksUrl) return undefined;
  const uncoded = (error: GraphQLError) => JWT_PLUGIN_REFUSALS.has(error.message) && !error.extensions?.['code'];
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || !('errors' in result)) return;
      const errors = (result as { errors?: readonly GraphQLError[] }).errors;
      if (!errors?.some(uncoded)) return;
      setResult({
        ...result,
        errors: errors.map((error) => (uncoded(error) ? unauthenticated(INVALID_TOKEN) : error)),
      });
    },
  };
}
