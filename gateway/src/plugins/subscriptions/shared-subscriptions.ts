import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { canonicalJson, RESUME_EXTENSION, SIGNATURE_EXTENSION, SIGNED_AT_EXTENSION } from '@polystore/common';
import { print, type ExecutionResult } from 'graphql';
import type { ServiceMetrics } from '@polystore/common';
import { operationTypeOf } from '../execution.js';
import { resubscribing, resumableExtensions } from './resume-position.js';
import { SharedStreams } from './shared-streams.js';

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
export function useSharedSubscriptions(metrics: ServiceMetrics): GatewayPlugin {
  const upstreams = new SharedStreams<ExecutionResult>().measure(metrics.registry, 'gateway_subscriptions_upstream', {
    sources: 'Subscriptions the gateway holds open to subgraphs, each shared by identical client subscriptions',
    subscribers: 'Client subscriptions fed by the upstream subscriptions',
  });

  return {
    onSubgraphExecute({ subgraphName, executionRequest, executor, setExecutor }) {
      if (operationTypeOf(executionRequest) !== 'subscription') return;
      const shared = (request: ExecutionRequest) => {
        // Called after every plugin's hook: the extensions hold the claims and their signature.
        const key = canonicalJson({
          subgraphName,
          query: print(request.document),
          operationName: request.operationName ?? null,
          variables: request.variables ?? null,
          extensions: identityOf(request.extensions),
        });
        // Not tied to the first client's lifetime: without its abort signal. Subscribed again after
        // its connection is lost, resumed where it was (`resume-position.ts`).
        return upstreams.subscribe(key, () => {
          const extensions = resumableExtensions(request.extensions);
          return resubscribing(extensions, () => executor({ ...request, extensions, signal: undefined }));
        });
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
  const {
    [SIGNED_AT_EXTENSION]: _signedAt,
    [SIGNATURE_EXTENSION]: _signature,
    [RESUME_EXTENSION]: _resume,
    ...identity
  } = extensions;
  return identity;
}
