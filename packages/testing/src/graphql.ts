import type { GraphQLResponse } from '@polystore/common';

export { graphqlRequest, type GraphQLResponse } from '@polystore/common';
export { rawRequest, thrownBy, type RawAnswer } from '@polystore/common/testing';

/** The `extensions.code` of each error, for compact assertions. */
export const errorCodes = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);
