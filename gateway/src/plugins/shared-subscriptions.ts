import { Repeater } from '@repeaterjs/repeater';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { canonicalJson } from '@polystore/common';
import { getOperationAST, print, type ExecutionResult } from 'graphql';
import { Gauge } from 'prom-client';
import type { PluginContext } from './index.js';

type SubgraphExecuteHook = NonNullable<GatewayPlugin['onSubgraphExecute']>;
type Executor = Parameters<SubgraphExecuteHook>[0]['executor'];
type ExecutionRequest = Parameters<Executor>[0];

interface Listener {
  push(value: ExecutionResult): Promise<unknown>;
  stop(error?: unknown): void;
}

/** One upstream subscription and the client subscriptions it feeds. */
interface SharedUpstream {
  listeners: Set<Listener>;
  /** Settles once the upstream answered: a stream to pump, or a single result (a refusal). */
  started: Promise<AsyncIterator<ExecutionResult> | ExecutionResult>;
}

/**
 * Identical client subscriptions share one subscription to the subgraph: the
 * same subgraph, operation, variables and forwarded claims (the signed
 * extensions, so two users never share one) give one upstream stream whose
 * events are fanned out in the gateway. Without it every subscriber opened its
 * own stream and the subgraph produced every event once per subscriber. Each
 * client still has its plan executed for it (fields from other subgraphs,
 * authorization). A subscriber that joins later gets the events from then on,
 * as a subscription would; the upstream ends when its last subscriber leaves.
 * The request id the subgraph sees is the first subscriber's.
 */
export function sharedSubscriptions({ metrics }: Pick<PluginContext, 'metrics'>): GatewayPlugin {
  const upstreams = new Map<string, SharedUpstream>();
  new Gauge({
    name: 'gateway_subscriptions_upstream',
    help: 'Subscriptions the gateway holds open to subgraphs, each shared by identical client subscriptions',
    registers: [metrics.registry],
    collect() {
      this.set(upstreams.size);
    },
  });
  new Gauge({
    name: 'gateway_subscriptions_clients',
    help: 'Client subscriptions fed by the upstream subscriptions',
    registers: [metrics.registry],
    collect() {
      let clients = 0;
      for (const upstream of upstreams.values()) clients += upstream.listeners.size;
      this.set(clients);
    },
  });

  function subscribe(key: string, request: ExecutionRequest, executor: Executor) {
    let upstream = upstreams.get(key);
    if (!upstream) {
      // Not tied to the first client's lifetime: without its abort signal.
      const detached: ExecutionRequest = { ...request, signal: undefined };
      const created: SharedUpstream = {
        listeners: new Set(),
        started: Promise.resolve(executor(detached)).then((result) =>
          isAsyncIterable(result) ? result[Symbol.asyncIterator]() : (result as ExecutionResult),
        ),
      };
      upstream = created;
      upstreams.set(key, created);
      void created.started.then(
        (stream) => {
          if (isIterator(stream)) void pump(key, created, stream);
          else upstreams.delete(key);
        },
        () => upstreams.delete(key),
      );
    }
    const shared = upstream;
    return shared.started.then((stream) => {
      // A refusal (a single result) or a failure goes to this subscriber as it is.
      if (!isIterator(stream)) return stream;
      return new Repeater<ExecutionResult>(async (push, stop) => {
        const listener: Listener = { push, stop };
        shared.listeners.add(listener);
        await stop;
        shared.listeners.delete(listener);
        if (shared.listeners.size === 0 && upstreams.get(key) === shared) {
          upstreams.delete(key);
          await stream.return?.();
        }
      });
    });
  }

  async function pump(key: string, shared: SharedUpstream, stream: AsyncIterator<ExecutionResult>) {
    try {
      for (;;) {
        const next = await stream.next();
        if (next.done) break;
        for (const listener of shared.listeners) void listener.push(next.value);
      }
      for (const listener of shared.listeners) listener.stop();
    } catch (err) {
      for (const listener of shared.listeners) listener.stop(err);
    } finally {
      if (upstreams.get(key) === shared) upstreams.delete(key);
    }
  }

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
          extensions: request.extensions ?? null,
        });
        return subscribe(key, request, executor);
      };
      setExecutor(shared as Executor);
    },
  };
}

function operationType(request: ExecutionRequest): string | undefined {
  return request.operationType ?? getOperationAST(request.document, request.operationName)?.operation;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isIterator(value: unknown): value is AsyncIterator<ExecutionResult> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterator<unknown>).next === 'function';
}
