import { Repeater } from '@repeaterjs/repeater';
import type { GatewayPlugin, GatewayRuntime } from '@graphql-hive/gateway-runtime';
import type { GraphQLParams } from 'graphql-yoga';
import type { ExecutionArgs, ExecutionResult } from 'graphql';

/** Swaps one subscription follows; more and it ends as the runtime would end it. */
const MAX_REATTACHMENTS = 1_000;

type Args = ExecutionArgs;
type Result = ExecutionResult | AsyncIterable<ExecutionResult>;

/** The runtime's graphql-ws `subscribe` (from `getGraphQLWSOptions`). */
export interface GraphQLWSExecution {
  subscribe?: ((args: Args) => unknown) | undefined;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * Keeps graphql-ws subscriptions open across a supergraph swap. The runtime
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
      if (!isAsyncIterable(result) || !rebuild) return result;
      return follow(result, schema, rebuild);
    },
  };
}

/**
 * The same for subscriptions over SSE (and any transport other than graphql-ws,
 * which the gateway's WebSocket server follows itself): a plugin wraps the
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

/**
 * Forwards `first`; when it ends while the runtime serves another schema than the
 * one it began on, forwards the stream `resubscribe` returns instead, with no end
 * in between. A single result from it (a refusal on the new schema) is forwarded,
 * then the stream ends.
 *
 * A Repeater rather than an async generator: a client that leaves (return) must reach the
 * current upstream stream at once, not after its next event (a generator queues return()
 * while it awaits).
 */
function followAcrossReloads(
  runtime: GatewayRuntime,
  first: AsyncIterable<ExecutionResult>,
  schema: unknown,
  resubscribe: () => Promise<Result>,
) {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    let stream = first[Symbol.asyncIterator]();
    let left = false;
    const leaving = stop.then(() => {
      left = true;
      void stream.return?.();
      return { done: true, value: undefined } as const;
    });
    let servedOn = schema;
    try {
      for (let reattached = 0; reattached <= MAX_REATTACHMENTS && !left; reattached++) {
        for (;;) {
          const next = await Promise.race([stream.next(), leaving]);
          if (left || next.done) break;
          await push(next.value);
        }
        const current = await runtime.getSchema();
        // Left, or ended for another reason (the subgraph closed it): end as before.
        if (left || current === servedOn) break;
        servedOn = current;
        const next = await resubscribe();
        if (!isAsyncIterable(next)) {
          await push(next);
          break;
        }
        stream = next[Symbol.asyncIterator]();
        if (left) void stream.return?.();
      }
      stop();
    } catch (err) {
      stop(err);
    }
  });
}
