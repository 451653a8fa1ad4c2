import { defaultExecutionRequestSerializer, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import {
  SIGNATURE_EXTENSION,
  SIGNED_AT_EXTENSION,
  signingTime,
  signRequest,
  type SignedContent,
} from '@polystore/common';
import { OperationTypeNode } from 'graphql';
import { operationTypeOf } from './execution.js';

/**
 * Signs every subgraph request with SUBGRAPH_SIGNING_SECRET (HMAC-SHA256 in
 * `extensions.hmac-signature`, as Hive Gateway's HMAC upstream signature writes
 * it). The signed content includes the operation name and the forwarded claims, so
 * a subgraph that verifies it (packages/common's subgraph server) runs exactly that
 * operation and trusts who the user is, and the signing time and nonce that
 * `useSigningStamp` (just before it) adds. Runs after the JWT plugin, which adds
 * the claims. Absent without a secret.
 *
 * Signed here with `signRequest`, the one definition both ends share, rather than
 * by the runtime's plugin: that one signs through WebCrypto, an asynchronous job
 * that cost about 70 µs of CPU per subgraph request where `createHmac` takes 5.
 *
 * A subscription is stamped and signed again each time it is sent: graphql-ws
 * sends the same subscribe payload again when it reconnects (a subgraph replica
 * died), by then older than the subgraph's window, and with the position to
 * resume from that `resume-position.ts` wrote into it meanwhile.
 */
export function useSubgraphSignature(secret: string | undefined): GatewayPlugin | undefined {
  if (!secret) return undefined;
  return {
    onSubgraphExecute({ executionRequest, setExecutionRequest }) {
      // The query exactly as the HTTP and WebSocket transports print it (stripped; memoised per document).
      const printed = defaultExecutionRequestSerializer({ document: executionRequest.document });
      const { query } = JSON.parse(printed ?? '{}') as { query?: string };
      const content = {
        query: query ?? '',
        operationName: executionRequest.operationName,
        variables: executionRequest.variables,
      };
      const extensions = { ...executionRequest.extensions };
      if (operationTypeOf(executionRequest) === OperationTypeNode.SUBSCRIPTION)
        signedWhenSent(secret, content, extensions);
      else extensions[SIGNATURE_EXTENSION] = signRequest(secret, { ...content, extensions });
      setExecutionRequest({ ...executionRequest, extensions });
    },
  };
}

/**
 * Gives `extensions` a `toJSON` (not enumerable: a copy leaves it behind) that
 * writes them as they are when serialised, stamped now and signed over that: a
 * subscription is signed each time it is sent, never before.
 */
function signedWhenSent(
  secret: string,
  content: Omit<SignedContent, 'extensions'>,
  extensions: Record<string, unknown>,
) {
  Object.defineProperty(extensions, 'toJSON', {
    enumerable: false,
    value(this: Record<string, unknown>) {
      const { [SIGNATURE_EXTENSION]: _previous, ...fields } = this;
      const stamped = { ...fields, [SIGNED_AT_EXTENSION]: signingTime() };
      return { ...stamped, [SIGNATURE_EXTENSION]: signRequest(secret, { ...content, extensions: stamped }) };
    },
  });
}
