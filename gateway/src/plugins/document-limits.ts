import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, parse } from 'graphql';
import { checkSelections, type SelectionLimits } from './selection-limits.js';

/**
 * Parses with the document limits applied, so a refused document is never
 * cached: the runtime keeps the last 1,024 parsed documents by text, and a
 * refusal after parsing (in validation) left each attacker's 3,000-field tree
 * there, with its tokens, until 1,024 newer ones pushed it out. Under four such
 * loops that cache grew the heap by hundreds of megabytes and garbage collection
 * took most of the gateway's CPU. A refusal thrown here is cached as an error.
 *
 * - Tokens are counted by graphql-js's own parser (`parse(…, { maxTokens })`):
 *   graphql-armor's token limit wraps the lexer in a Proxy that intercepts every
 *   property read, which doubled the cost of parsing.
 * - Fields, repeats, fragments, variables and directives are checked by
 *   `checkSelections`, in time linear in the document, before graphql-js's
 *   validation rules (some quadratic) ever see it. Over HTTP and graphql-ws alike.
 */
export function useDocumentLimits(limits: SelectionLimits & { maxTokens: number }): GatewayPlugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        const document = parseWithin(limits.maxTokens, source, options);
        const refused = checkSelections(document, limits);
        if (refused) throw refused;
        return document;
      });
    },
  };
}

function parseWithin(maxTokens: number, ...[source, options]: Parameters<typeof parse>) {
  try {
    return parse(source, { ...options, maxTokens });
  } catch (err) {
    if (err instanceof GraphQLError && /Parsing aborted/.test(err.message)) {
      // A limit, not a typo in the document: coded as the other limits are.
      throw new GraphQLError(`Token limit of ${maxTokens} exceeded (GATEWAY_MAX_TOKENS).`, {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
      });
    }
    throw err;
  }
}
