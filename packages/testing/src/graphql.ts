import type { GraphQLResponse } from '@polystore/common';

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
