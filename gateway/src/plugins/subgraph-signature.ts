import {
  defaultExecutionRequestSerializer,
  useHmacUpstreamSignature,
  type GatewayPlugin,
} from '@graphql-hive/gateway-runtime';
import { SIGNED_AT_EXTENSION, signedPayload, signingTime } from '@polystore/common';
import type { PluginContext } from './index.js';

/**
 * Signs every subgraph request with SUBGRAPH_SIGNING_SECRET (Hive Gateway's HMAC
 * upstream signature, in `extensions.hmac-signature`). The signed content includes
 * the forwarded claims, so a subgraph that verifies it (packages/common's subgraph
 * server) trusts who the user is, and the signing time (`extensions.signed-at`),
 * so it refuses the request once SUBGRAPH_SIGNATURE_MAX_AGE_SECONDS have passed.
 * Runs after the JWT plugin, which adds the claims.
 */
export function subgraphSignaturePlugins({ config }: PluginContext): GatewayPlugin[] {
  const secret = config.auth.subgraphSecret;
  if (!secret) return [];
  return [
    {
      // Before the signature, which covers it.
      onSubgraphExecute({ executionRequest, setExecutionRequest }) {
        setExecutionRequest({
          ...executionRequest,
          extensions: { ...executionRequest.extensions, [SIGNED_AT_EXTENSION]: signingTime() },
        });
      },
    },
    useHmacUpstreamSignature({
      secret,
      // The query exactly as the HTTP and WebSocket transports print it (stripped).
      serializeExecutionRequest: (request) => {
        const { query } = JSON.parse(defaultExecutionRequestSerializer(request) ?? '{}') as { query?: string };
        return signedPayload({ query: query ?? '', variables: request.variables, extensions: request.extensions });
      },
    }) as GatewayPlugin,
  ];
}
