import { GraphQLError } from 'graphql';

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
