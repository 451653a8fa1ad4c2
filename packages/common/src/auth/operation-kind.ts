import { getOperationAST, parse, type OperationTypeNode } from 'graphql';

/** Queries longer than this are parsed each time rather than remembered (the gateway's are far shorter). */
const MAX_CACHED_QUERY_LENGTH = 20_000;
const MAX_CACHED_QUERIES = 1_000;
const kinds = new Map<string, OperationTypeNode | null>();

/**
 * Whether the operation of `query` that runs (the one named `operationName`, or
 * the only one) is a query, mutation or subscription; undefined when the query
 * does not parse or names no single operation, so nothing of it can run. Signers
 * and subgraphs ask it to decide which requests need a nonce. The gateway's
 * queries repeat, so answers are remembered (bounded, oldest dropped first).
 */
export function operationKind(query: string, operationName?: string | null): OperationTypeNode | undefined {
  const key = `${operationName ?? ''}\n${query}`;
  const known = kinds.get(key);
  if (known !== undefined) return known ?? undefined;
  let kind: OperationTypeNode | null;
  try {
    kind = getOperationAST(parse(query, { noLocation: true }), operationName || undefined)?.operation ?? null;
  } catch {
    kind = null;
  }
  if (query.length <= MAX_CACHED_QUERY_LENGTH) {
    if (kinds.size >= MAX_CACHED_QUERIES) kinds.delete(kinds.keys().next().value!);
    kinds.set(key, kind);
  }
  return kind ?? undefined;
}
