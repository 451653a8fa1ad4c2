import { GraphQLError } from 'graphql';
import type { GraphQLResponse } from '@polystore/common';

export { graphqlRequest, type GraphQLResponse } from '@polystore/common';

/** The `extensions.code` of each error, for compact assertions. */
export const errorCodes = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);

/**
 * The GraphQLError that `work` throws, for assertions on its message and
 * extensions in unit tests; fails when `work` returns or throws anything else.
 */
export function thrownBy(work: () => unknown): GraphQLError {
  try {
    work();
  } catch (err) {
    if (err instanceof GraphQLError) return err;
    throw new Error(`expected a GraphQLError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a GraphQLError, nothing was thrown');
}
