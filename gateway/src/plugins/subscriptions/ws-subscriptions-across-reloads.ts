import type { GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { OperationTypeNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, operationTypeOf } from '../execution.js';
import { followAcrossReloads, type Args, type Result } from './follow-across-reloads.js';

/** The runtime's graphql-ws `subscribe` (from `getGraphQLWSOptions`). */
export interface GraphQLWSExecution {
  subscribe?: ((args: Args) => unknown) | undefined;
}

/**
 * Keeps graphql-ws subscriptions open across a supergraph swap (the gateway's
 * WebSocket server's `subscribe`, not a runtime plugin). The runtime
 * ends every stream of a replaced supergraph (it does not pin subscriptions
 * to their schema generation, by design: they would keep it alive for hours).
 * When a stream ends and the runtime serves another supergraph than the one
 * it began on, the operation is subscribed again on the new one, through the
 * whole pipeline (identity, authorization, validation against the new
 * schema), and its events continue on the same client subscription: no
 * `complete`. If the new supergraph refuses the operation (a field was
 * removed), the client gets that error and then `complete`.
 *
 * Events published between the end of the old stream and the start of the
 * new one are not delivered (subscriptions are live pub/sub, not a log).
 */
export function subscriptionsAcrossReloads(runtime: GatewayRuntime, ws: GraphQLWSExecution) {
  const run = async (args: Args) => (await ws.subscribe!(args)) as Result;
  const rebuilders = new WeakMap<object, () => Promise<Args>>();

  const follow = (first: AsyncIterable<ExecutionResult>, schema: unknown, rebuild: () => Promise<Args>) =>
    followAcrossReloads(runtime, first, schema, async () => run(await rebuild()));

  return {
    /** Records how to build `args` again for the same client subscription (graphql-ws `onSubscribe`). */
    remember(args: Args, rebuild: () => Promise<Args>): Args {
      rebuilders.set(args, rebuild);
      return args;
    },
    /** graphql-ws `subscribe`: the runtime's, followed across supergraph swaps. */
    async subscribe(args: Args): Promise<Result> {
      const schema = await runtime.getSchema();
      const result = await run(args);
      const rebuild = rebuilders.get(args);
      // Subscriptions only: a query in parts (@defer) that ends after a swap has ended, not been cut off.
      if (!isAsyncIterable(result) || !rebuild || operationTypeOf(args) !== OperationTypeNode.SUBSCRIPTION)
        return result;
      return follow(result, schema, rebuild);
    },
  };
}
