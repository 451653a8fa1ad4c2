import { randomUUID } from 'node:crypto';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { NONCE_EXTENSION, SERVICE_EXTENSION, SIGNED_AT_EXTENSION, signingTime } from '@polystore/common';
import { OperationTypeNode } from 'graphql';
import { operationTypeOf } from './execution.js';

/**
 * What the subgraph signature (`subgraph-signature.ts`, next in the list) covers
 * beyond the request itself: the signing time (`extensions.signed-at`), so a
 * subgraph refuses the request once SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS have
 * passed, and, on a mutation only, a fresh nonce (`extensions.nonce`), so it runs
 * it once. Queries and subscriptions carry no nonce: identical ones stay
 * identical, and the transport still de-duplicates them. A service identity or
 * nonce already on the request is dropped. Absent without SUBGRAPH_SIGNING_SECRET.
 */
export function useSigningStamp(secret: string | undefined): GatewayPlugin | undefined {
  if (!secret) return undefined;
  return {
    onSubgraphExecute({ executionRequest, setExecutionRequest }) {
      // A service identity is for subgraphs reading from each other: never on anything the gateway sends.
      const {
        [SERVICE_EXTENSION]: _service,
        [NONCE_EXTENSION]: _nonce,
        ...extensions
      } = executionRequest.extensions ?? {};
      const kind = operationTypeOf(executionRequest);
      setExecutionRequest({
        ...executionRequest,
        extensions: {
          ...extensions,
          [SIGNED_AT_EXTENSION]: signingTime(),
          ...(kind === OperationTypeNode.MUTATION ? { [NONCE_EXTENSION]: randomUUID() } : {}),
        },
      });
    },
  };
}
