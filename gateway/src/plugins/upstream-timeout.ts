import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, OperationTypeNode } from 'graphql';
import { operationTypeOf, type SubgraphRequest } from './execution.js';

type Executor = Parameters<NonNullable<GatewayPlugin['onSubgraphExecute']>>[0]['executor'];

/**
 * A subgraph that hangs costs its part of the answer, not the whole request:
 * after GATEWAY_UPSTREAM_TIMEOUT_MS the request to it is aborted (its socket
 * closed) and its part fails with `GATEWAY_TIMEOUT` (504), which
 * `upstream-errors.ts` turns into SERVICE_UNAVAILABLE naming the subgraph.
 * Subscriptions are exempt: they are meant to stay open.
 *
 * In place of the runtime's `upstreamTimeout`, which gives every subgraph
 * request an `AbortSignal.timeout`: Node keeps such a signal, its listeners
 * and what they hold (the request's state) alive until its timer fires, even
 * after the answer came, so under load every request's state outlived it by
 * the whole timeout, reached V8's old generation and made the gateway's heap
 * grow to several times its live size. Here the timer is cleared as soon as
 * the answer comes.
 */
export function useUpstreamTimeout(timeoutMs: number): GatewayPlugin {
  return {
    onSubgraphExecute({ subgraphName, executionRequest, executor, setExecutor }) {
      if (operationTypeOf(executionRequest) === OperationTypeNode.SUBSCRIPTION) return;
      setExecutor(((request: SubgraphRequest) => withTimeout(executor, request, subgraphName, timeoutMs)) as Executor);
    },
  };
}

function withTimeout(executor: Executor, request: SubgraphRequest, subgraphName: string, timeoutMs: number) {
  const controller = new AbortController();
  // The client's request ending aborts this one too, as the runtime's own signal would.
  const clientSignal = request.signal;
  const onClientAbort = () => controller.abort(clientSignal?.reason);
  clientSignal?.addEventListener('abort', onClientAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const done = () => {
    clearTimeout(timer);
    clientSignal?.removeEventListener('abort', onClientAbort);
  };
  let answer;
  try {
    answer = executor({ ...request, signal: controller.signal });
  } catch (err) {
    done();
    throw err;
  }
  if (!isThenable(answer)) {
    done();
    return answer;
  }
  return new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      // Made only when it fires: an error captures a stack, and this is on every subgraph request.
      const timedOut = new GraphQLError(`the ${subgraphName} subgraph did not answer within ${timeoutMs} ms`, {
        extensions: { code: 'GATEWAY_TIMEOUT', serviceName: subgraphName, http: { status: 504 } },
      });
      controller.abort(timedOut);
      reject(timedOut);
    }, timeoutMs);
    answer.then(resolve, reject);
  }).finally(done);
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
