import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, type ValidationContext } from 'graphql';
import { useBodyLimit } from './body-limit.js';
import type { PluginContext } from './index.js';
import { useSelectionLimits } from './selection-limits.js';
import { useTokenLimit } from './token-limit.js';

/**
 * Refuses expensive operations before they are executed, so none reaches a
 * subgraph: tokens while parsing (token-limit.ts), then depth, aliases and
 * directives with graphql-armor (the security plugin Hive Gateway
 * documents); the estimated cost is the runtime's own demand control
 * (demand-control.ts). Field suggestions ("Did you mean …?") are hidden when
 * introspection is off. Bodies larger than GATEWAY_MAX_BODY_BYTES are refused
 * with 413 (body-limit.ts). Fields, repeats, fragments and variables are
 * bounded by a linear pass that stands in for validation when it refuses
 * (selection-limits.ts), so no document under the limits buys seconds of
 * graphql-js validation.
 */
export function limitPlugins({ config }: PluginContext): GatewayPlugin[] {
  const limits = config.gateway.limits;
  // Reported as validation errors (400), not thrown out of validation (which the runtime answers with 200).
  const reported = {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
  };
  return [
    useBodyLimit(limits.maxBodyBytes),
    useTokenLimit(limits.maxTokens),
    useSelectionLimits(limits),
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, ...reported },
      maxAliases: { n: limits.maxAliases, ...reported },
      // Counted before validation instead (selection-limits.ts), with fields and fragments.
      maxDirectives: { enabled: false },
      // Counted by graphql-js's own parser instead (token-limit.ts): armor's Proxy doubles the cost of parsing.
      maxTokens: { enabled: false },
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
