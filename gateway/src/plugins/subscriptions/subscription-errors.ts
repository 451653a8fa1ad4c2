import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult } from 'graphql-yoga';

/** A subgraph's error as it arrived over graphql-ws: plain JSON, not a GraphQLError. */
interface WireError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

const isCodedWireError = (error: unknown): error is WireError =>
  !(error instanceof GraphQLError) &&
  typeof (error as WireError | null)?.message === 'string' &&
  typeof (error as WireError).extensions?.['code'] === 'string';

/**
 * A subgraph's refusal of a subscription (FORBIDDEN, BAD_USER_INPUT) reaches the
 * gateway over graphql-ws as plain JSON, which the runtime's error masking would
 * turn into "Unexpected error.". Errors that carry a code (the subgraph already
 * chose to expose them) become GraphQLErrors again, so the client sees why;
 * errors without a code stay masked.
 */
export function useSubscriptionErrors(): GatewayPlugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult(payload) {
          return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (!result.errors?.some(isCodedWireError)) return;
            setResult({
              ...result,
              errors: result.errors.map((error) =>
                isCodedWireError(error)
                  ? new GraphQLError(error.message, { path: error.path, extensions: error.extensions })
                  : error,
              ),
            });
          });
        },
      };
    },
  };
}
