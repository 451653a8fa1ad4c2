import { mergeIncrementalResult } from '@graphql-tools/utils';
import type { GraphQLResponse } from '@polystore/common';
import type { ExecutionResult } from 'graphql';

export { graphqlRequest, type GraphQLResponse } from '@polystore/common';
export { rawRequest, thrownBy, type RawAnswer } from '@polystore/common/testing';

/** The `extensions.code` of each error, for compact assertions. */
export const errorCodes = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);

/** One part of an incremental answer (`@defer`, `@stream`). */
export interface AnswerPart {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  incremental?: unknown[];
  hasNext?: boolean;
}

/** The JSON parts of a `multipart/mixed` answer body, in order. */
export const multipartParts = (body: string): AnswerPart[] =>
  body
    .split(/\r?\n---/)
    .map((chunk) => chunk.slice(chunk.indexOf('{')))
    .filter((json) => json.startsWith('{'))
    .map((json) => JSON.parse(json) as AnswerPart);

/** The parts of an incremental answer merged into one, as client libraries merge them. */
export function mergeParts(parts: readonly ExecutionResult[]): ExecutionResult {
  const [first, ...rest] = parts;
  const { hasNext: _hasNext, ...merged } = (first ?? { data: null }) as ExecutionResult & { hasNext?: boolean };
  for (const part of rest) mergeIncrementalResult({ incrementalResult: part, executionResult: merged });
  return merged;
}
