/* eslint-disable @typescript-eslint/no-explicit-any -- callers read fields of the query they sent; the default type keeps that terse */
export interface GraphQLResponse<Data = Record<string, any>> {
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface GraphQLRequestOptions {
  headers?: Record<string, string>;
  /** Gives up after this many milliseconds. Default: no limit. */
  timeoutMs?: number;
}

/** POSTs one operation to a GraphQL endpoint and returns the parsed body, whatever the HTTP status. */
export async function graphqlRequest<Data = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  { headers = {}, timeoutMs }: GraphQLRequestOptions = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
    signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
  });
  return (await response.json()) as GraphQLResponse<Data>;
}
