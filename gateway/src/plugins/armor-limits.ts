import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { GraphQLError, ValidationContext } from 'graphql';

export interface ArmorLimitsOptions {
  /** GATEWAY_MAX_DEPTH: nesting of selections, introspection aside. */
  maxDepth: number;
  /** GATEWAY_MAX_ALIASES: aliases in one operation. */
  maxAliases: number;
  /** Hide "Did you mean …?" suggestions (true when introspection is off). */
  hideFieldSuggestions: boolean;
}

/**
 * Depth and aliases, checked while validating by graphql-armor (the security
 * plugin Hive Gateway documents), and field suggestions hidden when introspection
 * is off. Its other checks are off: tokens, fields, directives and fragments are
 * counted while parsing (`document-limits.ts`), and the estimated cost before
 * planning (`cost-limit.ts`).
 */
export function useArmorLimits({ maxDepth, maxAliases, hideFieldSuggestions }: ArmorLimitsOptions): GatewayPlugin {
  // Reported as validation errors (400), not thrown out of validation (which the runtime answers with 200).
  const reported = {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
  };
  return EnvelopArmorPlugin({
    maxDepth: { n: maxDepth, ignoreIntrospection: true, ...reported },
    maxAliases: { n: maxAliases, ...reported },
    // Counted while parsing instead (document-limits.ts), with fields and fragments.
    maxDirectives: { enabled: false },
    // Counted by graphql-js's own parser instead (document-limits.ts): armor's Proxy doubles the cost of parsing.
    maxTokens: { enabled: false },
    // Its static estimate ignores `first`: the runtime's demand control estimates the cost instead.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: hideFieldSuggestions },
  }) as GatewayPlugin;
}
