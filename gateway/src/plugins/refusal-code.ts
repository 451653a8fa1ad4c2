import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';

/**
 * graphql-armor's refusals (and other validation errors) come without a code:
 * an operation refused before execution (no `data`) gets GRAPHQL_VALIDATION_FAILED.
 * Last in the plugin list, after the plugins that give their own refusals a code.
 */
export function useRefusalCode(): GatewayPlugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || !('errors' in result)) return;
      const { data, errors } = result as { data?: unknown; errors?: readonly GraphQLError[] };
      if (data !== undefined || !errors?.some((error) => !error.extensions?.['code'])) return;
      setResult({
        ...result,
        errors: errors.map((error) =>
          error.extensions?.['code']
            ? error
            : new GraphQLError(error.message, {
                nodes: error.nodes,
                extensions: { ...error.extensions, code: codeForStatus(error) },
              }),
        ),
      });
    },
  };
}

/** A refusal's code from its HTTP status: 403 (CSRF) FORBIDDEN, 405 (a mutation over GET) BAD_REQUEST, else a validation failure. */
function codeForStatus(error: GraphQLError): string {
  const status = (error.extensions?.['http'] as { status?: number } | undefined)?.status;
  if (status === 403) return 'FORBIDDEN';
  if (status === 405 || status === 413 || status === 400)
    return status === 400 ? 'GRAPHQL_VALIDATION_FAILED' : 'BAD_REQUEST';
  return 'GRAPHQL_VALIDATION_FAILED';
}
