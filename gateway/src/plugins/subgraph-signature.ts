import { randomUUID } from 'node:crypto';
import {
  defaultExecutionRequestSerializer,
  useHmacUpstreamSignature,
  type GatewayPlugin,
} from '@graphql-hive/gateway-runtime';
import { NONCE_EXTENSION, SERVICE_EXTENSION, SIGNED_AT_EXTENSION, signedPayload, signingTime } from '@polystore/common';
import { getOperationAST, OperationTypeNode } from 'graphql';
import type { PluginContext } from './index.js';

/**
 * Signs every subgraph request with SUBGRAPH_SIGNING_SECRET (Hive Gateway's HMAC
 * upstream signature, in `extensions.hmac-signature`). The signed content includes
 * the operation name and the forwarded claims, so a subgraph that verifies it
 * (packages/common's subgraph server) runs exactly that operation and trusts who
 * the user is; the signing time (`extensions.signed-at`), so it refuses the
 * request once SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS have passed; and, on a
 * mutation only, a fresh nonce (`extensions.nonce`), so it runs it once. Queries
 * and subscriptions carry no nonce: identical ones stay identical, and the
 * transport still de-duplicates them. Runs after the JWT plugin, which adds the claims.
 */
export function subgraphSignaturePlugins({ config }: PluginContext): GatewayPlugin[] {
  const secret = config.auth.subgraphSecret;
  if (!secret) return [];
  return [
    {
      // Before the signature, which covers it.
      onSubgraphExecute({ executionRequest, setExecutionRequest }) {
        // A service identity is for subgraphs reading from each other: never on anything the gateway sends.
        const {
          [SERVICE_EXTENSION]: _service,
          [NONCE_EXTENSION]: _nonce,
          ...extensions
        } = executionRequest.extensions ?? {};
        const kind =
          executionRequest.operationType ??
          getOperationAST(executionRequest.document, executionRequest.operationName)?.operation;
        setExecutionRequest({
          ...executionRequest,
          extensions: {
            ...extensions,
            [SIGNED_AT_EXTENSION]: signingTime(),
            ...(kind === OperationTypeNode.MUTATION ? { [NONCE_EXTENSION]: randomUUID() } : {}),
          },
        });
      },
    },
    useHmacUpstreamSignature({
      secret,
      // The query exactly as the HTTP and WebSocket transports print it (stripped),
      // and the operation name as they send it.
      serializeExecutionRequest: (request) => {
        const { query } = JSON.parse(defaultExecutionRequestSerializer(request) ?? '{}') as { query?: string };
        return signedPayload({
          query: query ?? '',
          operationName: request.operationName,
          variables: request.variables,
          extensions: request.extensions,
        });
      },
    }) as GatewayPlugin,
  ];
}
