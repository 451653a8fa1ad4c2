import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';
import { useBodyLimit } from './body-limit.js';
import type { PluginContext } from './index.js';

/**
 * Refuses expensive operations before they are executed, so none reaches a
 * subgraph: depth, aliases, directives, tokens (field duplication is refused
 * while parsing), with graphql-armor (the security plugin Hive Gateway
 * documents); the estimated cost is the runtime's own demand control
 * (demand-control.ts). Field suggestions ("Did you mean …?") are hidden when
 * introspection is off. Bodies larger than GATEWAY_MAX_BODY_BYTES are refused
 * with 413 (body-limit.ts).
 */
export function limitPlugins({ config }: PluginContext): GatewayPlugin[] {
  const limits = config.gateway.limits;
  return [
    useBodyLimit(limits.maxBodyBytes),
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, exposeLimits: true },
      maxAliases: { n: limits.maxAliases, exposeLimits: true },
      maxDirectives: { n: limits.maxDirectives, exposeLimits: true },
      maxTokens: { n: limits.maxTokens, exposeLimits: true },
      // Its static estimate ignores `first`: the runtime's demand control estimates the cost instead.
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: !config.gateway.introspection },
    }) as GatewayPlugin,
  ];
}

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
