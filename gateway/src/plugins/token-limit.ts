import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, parse } from 'graphql';

/**
 * Documents of more than `maxTokens` lexical tokens are refused while they are
 * parsed, with graphql-js's own counter (`parse(…, { maxTokens })`). graphql-armor's
 * token limit wraps the lexer in a Proxy that intercepts every property read and
 * allocates a closure per token: on a 3,000-token document that doubled the cost
 * of parsing and most of the garbage of a refused request.
 */
export function useTokenLimit(maxTokens: number): GatewayPlugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
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
      });
    },
  };
}
