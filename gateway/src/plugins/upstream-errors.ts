import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, type ExecutionResult } from 'graphql';

/**
 * Codes the runtime gives a subgraph request that got no answer: the fetch
 * failed (ECONNREFUSED, ECONNRESET, socket hang up: `SUBREQUEST_HTTP_ERROR`),
 * the upstream timeout fired (`GATEWAY_TIMEOUT`), or nothing usable came back
 * (`RESPONSE_VALIDATION_FAILED`: an empty or non-GraphQL body, as a proxy
 * sends for a dead backend).
 */
const NO_ANSWER = new Set(['SUBREQUEST_HTTP_ERROR', 'GATEWAY_TIMEOUT', 'RESPONSE_VALIDATION_FAILED']);
/** The same failures when they arrive as plain errors (thrown by the fetch or the timeout). */
const NO_ANSWER_MESSAGE =
  /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|other side closed|fetch failed|timed? ?out|aborted/i;

const noAnswer = (error: unknown): boolean => {
  const code = (error as GraphQLError | undefined)?.extensions?.['code'];
  if (typeof code === 'string') return NO_ANSWER.has(code);
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return NO_ANSWER_MESSAGE.test(`${(error as Error | undefined)?.message ?? ''} ${String(cause ?? '')}`);
};

/**
 * The error a client gets for a subgraph that did not answer: `SERVICE_UNAVAILABLE`
 * naming it. No `originalError`, so the runtime does not mask it as
 * INTERNAL_SERVER_ERROR. For a mutation the outcome is unknown (the subgraph may
 * have committed before the connection broke), and the message says so.
 */
function unavailable(serviceName: string, operation: string | undefined, error: GraphQLError | undefined) {
  const outcome =
    operation === 'mutation'
      ? '; the mutation may or may not have been applied: read it back, or retry it with the same idempotency key'
      : '';
  return new GraphQLError(`the ${serviceName} subgraph did not answer${outcome}`, {
    path: error?.path,
    extensions: { code: 'SERVICE_UNAVAILABLE', serviceName },
  });
}

/**
 * A subgraph that dies mid-request, refuses connections or times out reaches
 * the client as `SERVICE_UNAVAILABLE` with `serviceName`, instead of the
 * masked INTERNAL_SERVER_ERROR (or the runtime's own codes) it would otherwise
 * get: one code a client can act on. The fields other subgraphs resolved stay
 * in the answer. Subscriptions (streams) are left alone.
 */
export function useUpstreamErrors(): GatewayPlugin {
  return {
    onSubgraphExecute({ subgraphName, executor, setExecutor }) {
      setExecutor((async (request: Parameters<typeof executor>[0]) => {
        const operation = request.operationType;
        try {
          const result = await executor(request);
          if (Symbol.asyncIterator in Object(result)) return result;
          const { errors } = result as ExecutionResult;
          if (!errors?.some(noAnswer)) return result;
          return {
            ...result,
            errors: errors.map((error) => (noAnswer(error) ? unavailable(subgraphName, operation, error) : error)),
          };
        } catch (err) {
          if (!noAnswer(err)) throw err;
          return { errors: [unavailable(subgraphName, operation, undefined)] };
        }
      }) as typeof executor);
    },
  };
}
