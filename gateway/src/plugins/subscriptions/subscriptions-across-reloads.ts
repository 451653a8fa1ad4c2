import type { GatewayPlugin, GatewayRuntime } from '@graphql-hive/gateway-runtime';
import type { GraphQLParams } from 'graphql-yoga';
import { isAsyncIterable } from '../execution.js';
import { followAcrossReloads, type Result } from './follow-across-reloads.js';

/**
 * Keeps subscriptions over SSE open across a supergraph swap, as
 * `ws-subscriptions-across-reloads.ts` does for graphql-ws (any transport other
 * than graphql-ws, which the gateway's WebSocket server follows itself): it wraps the
 * stream the runtime returns and subscribes again, through the whole pipeline
 * with the same request, when a swap ended it. `runtime` is read when the first
 * subscription arrives (the plugin is made before the runtime).
 */
export function useSubscriptionsAcrossReloads(runtime: () => GatewayRuntime): GatewayPlugin {
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as ReattachableContext;
      if ('connectionParams' in context || context[REATTACHED] || !context.params || !context.request) return;
      const { params, request, req, res } = context;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          const gateway = runtime();
          const resubscribe = async () =>
            (await gateway.getResultForParams({ params, request }, { req, res, [REATTACHED]: true })) as Result;
          setResult(followAcrossReloads(gateway, result, args.schema, resubscribe));
        },
      };
    },
  };
}

/** Marks a subscription made again by this module, so it is not wrapped twice. */
const REATTACHED = Symbol('reattached');

interface ReattachableContext {
  params?: GraphQLParams;
  request?: Request;
  req?: unknown;
  res?: unknown;
  [REATTACHED]?: boolean;
}
