import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { canonicalJson, SIGNATURE_EXTENSION, SIGNED_AT_EXTENSION } from '@polystore/common';
import { getOperationAST, print, type ExecutionResult } from 'graphql';
import { SharedStreams } from '../shared-streams.js';
import type { PluginContext } from './index.js';

type SubgraphExecuteHook = NonNullable<GatewayPlugin['onSubgraphExecute']>;
type Executor = Parameters<SubgraphExecuteHook>[0]['executor'];
type ExecutionRequest = Parameters<Executor>[0];

/**
 * Identical subscriptions to a subgraph share one: the same subgraph,
 * operation, variables and forwarded claims (the signed extensions, so two
 * users never share one) give one upstream stream whose events are fanned out
 * in the gateway. Without it every client subscription opened its own, and the
 * subgraph produced every event once per subscriber. Each client still has its
 * plan executed for it (fields from other subgraphs, authorization). The
 * request id the subgraph sees is the first subscriber's.
 */
export function sharedSubscriptions({ metrics }: Pick<PluginContext, 'metrics'>): GatewayPlugin {
  const upstreams = new SharedStreams<ExecutionResult>().measure(metrics.registry, 'gateway_subscriptions_upstream', {
    sources: 'Subscriptions the gateway holds open to subgraphs, each shared by identical client subscriptions',
    subscribers: 'Client subscriptions fed by the upstream subscriptions',
  });

  return {
    onSubgraphExecute({ subgraphName, executionRequest, executor, setExecutor }) {
      if (operationType(executionRequest) !== 'subscription') return;
      const shared = (request: ExecutionRequest) => {
        // Called after every plugin's hook: the extensions hold the claims and their signature.
        const key = canonicalJson({
          subgraphName,
          query: print(request.document),
          operationName: request.operationName ?? null,
          variables: request.variables ?? null,
          extensions: identityOf(request.extensions),
        });
        // Not tied to the first client's lifetime: without its abort signal.
        return upstreams.subscribe(key, () => executor({ ...request, signal: undefined }));
      };
      setExecutor(shared as Executor);
    },
  };
}

/**
 * The extensions that say who subscribes (the forwarded claims), without the signing
 * time and the signature that covers it: subscribers in different seconds still share.
 */
function identityOf(extensions: ExecutionRequest['extensions']): Record<string, unknown> | null {
  if (!extensions) return null;
  const { [SIGNED_AT_EXTENSION]: _signedAt, [SIGNATURE_EXTENSION]: _signature, ...identity } = extensions;
  return identity;
}

function operationType(request: ExecutionRequest): string | undefined {
  return request.operationType ?? getOperationAST(request.document, request.operationName)?.operation;
}
