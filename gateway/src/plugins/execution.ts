import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getOperationAST, type DocumentNode, type ExecutionResult, type OperationTypeNode } from 'graphql';

/** A request the runtime sends a subgraph, as `onSubgraphExecute` hooks see it. */
export type SubgraphRequest = Parameters<NonNullable<GatewayPlugin['onSubgraphExecute']>>[0]['executionRequest'];

/** What an operation runs (a client's or a subgraph request): its `operationType` when the runtime set one, else its document's. */
export const operationTypeOf = (request: {
  document: DocumentNode;
  operationName?: string | null | undefined;
  operationType?: OperationTypeNode | undefined;
}): OperationTypeNode | undefined =>
  request.operationType ?? getOperationAST(request.document, request.operationName)?.operation;

/** A stream of results (a subscription, an incremental answer) rather than one result. */
export const isAsyncIterable = <T = ExecutionResult>(value: unknown): value is AsyncIterable<T> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
