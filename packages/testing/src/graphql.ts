import type { GraphQLResponse } from '@polystore/common';

export { graphqlRequest, type GraphQLResponse } from '@polystore/common';

/** The `extensions.code` of each error, for compact assertions. */
export const errorCodes = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);
