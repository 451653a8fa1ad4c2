import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { OperationTypeNode } from 'graphql';
import { asksForIncrementalDelivery, withoutIncrementalDirectives } from '../incremental-delivery.js';
import { operationTypeOf } from './execution.js';

/** Media types whose answers come in parts: multipart HTTP and SSE, or a wildcard that allows them. */
const STREAMED = new Set(['multipart/mixed', 'multipart/*', 'text/event-stream', 'text/*', '*/*']);

/** Whether an HTTP request's Accept header takes an answer in parts (no header means anything). */
export function acceptsParts(accept: string | null): boolean {
  if (!accept) return true;
  return accept.split(',').some((range) => STREAMED.has(range.split(';')[0]!.trim().toLowerCase()));
}

/**
 * `@defer` and `@stream` are ignored, as the incremental delivery proposal lets
 * a server do, and the operation runs whole on the Rust planner, when:
 *
 * - the HTTP client takes only one JSON answer (an Accept of `application/json`
 *   alone): it gets the answer the operation gives without the directives,
 *   instead of the runtime's 406 with an empty body;
 * - the operation is a mutation: its answer is one result, which the response
 *   cache reads to invalidate what the mutation changed.
 *
 * Clients that take multipart HTTP or SSE, and WebSocket ones, get a query's
 * parts as they come. The document is replaced before anything executes
 * (whatever order the runtime's own execution hook runs in).
 */
export function useWholeAnswers(): GatewayPlugin {
  return {
    onExecute({ args }) {
      if (!asksForIncrementalDelivery(args.document, args.variableValues)) return;
      const mutation = operationTypeOf(args) === OperationTypeNode.MUTATION;
      // HTTP requests only: a WebSocket operation's context holds no Fetch request, and takes parts.
      const request = (args.contextValue as { request?: Partial<Request> }).request;
      const jsonOnly = typeof request?.headers?.get === 'function' && !acceptsParts(request.headers.get('accept'));
      if (mutation || jsonOnly) args.document = withoutIncrementalDirectives(args.document);
    },
  };
}
