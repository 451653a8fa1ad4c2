import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { mergeIncrementalResult } from '@graphql-tools/utils';
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable } from './execution.js';

/** Media types whose answers come in parts: multipart HTTP and SSE, or a wildcard that allows them. */
const STREAMED = new Set(['multipart/mixed', 'multipart/*', 'text/event-stream', 'text/*', '*/*']);

/** Whether an HTTP request's Accept header takes an answer in parts (no header means anything). */
export function acceptsParts(accept: string | null): boolean {
  if (!accept) return true;
  return accept.split(',').some((range) => STREAMED.has(range.split(';')[0]!.trim().toLowerCase()));
}

/** The parts of an incremental answer merged into the one answer the operation without `@defer`/`@stream` gives. */
export async function wholeAnswer(parts: AsyncIterable<ExecutionResult>): Promise<ExecutionResult> {
  let whole: ExecutionResult | undefined;
  for await (const part of parts) {
    if (whole === undefined) {
      const { hasNext: _hasNext, ...first } = part as ExecutionResult & { hasNext?: boolean };
      whole = first;
    } else {
      mergeIncrementalResult({ incrementalResult: part, executionResult: whole });
    }
  }
  return whole ?? { data: null };
}

/**
 * `@defer` and `@stream` for a client that takes only one JSON answer (an
 * Accept of `application/json` alone): it gets the whole answer at once, as
 * the incremental delivery proposal allows a server to, instead of the 406
 * with an empty body the runtime would give. Clients that take multipart
 * HTTP or SSE, and WebSocket ones, get the parts as they come.
 */
export function useWholeAnswers(): GatewayPlugin {
  return {
    onExecute({ args }) {
      // HTTP requests only: a WebSocket operation's context holds no Fetch request, and takes parts.
      const request = (args.contextValue as { request?: Partial<Request> }).request;
      if (typeof request?.headers?.get !== 'function' || acceptsParts(request.headers.get('accept'))) return;
      return {
        async onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(await wholeAnswer(result));
        },
      };
    },
  };
}
