import { canonicalJson, type ServiceMetrics } from '@polystore/common';
import { getOperationAST, parse, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import { SharedStreams } from './shared-streams.js';

type Subscribe = (args: ExecutionArgs) => unknown;

interface WebSocketContext {
  params?: { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown };
  connectionParams?: Record<string, unknown> | null;
  /** Marks the operation as counted, so the rate-limit plugin in the pipeline does not count it again. */
  budgetSpent?: boolean;
}

/** Spends one operation of the client's rate-limit budget: the refusal, or undefined within it. */
type Spend = (context: WebSocketContext, transport: 'graphql-ws') => Promise<GraphQLError | undefined>;

/**
 * graphql-ws `subscribe` that runs identical anonymous subscriptions once: the
 * same operation text, variables and extensions from clients without a token
 * share one execution, whose results go to each of them. Ten thousand viewers of
 * a product's stock then cost the gateway one plan execution per event instead
 * of ten thousand. Only subscriptions are shared (every graphql-ws operation,
 * mutations included, arrives here), and only anonymous ones: a signed-in
 * client's operation runs for that client alone, with its own checks. Each
 * client's operation is still refused on its own (the connection's operation
 * bound) before it gets here, and each spends its rate-limit budget here, since one that
 * joins a running execution does not go through the pipeline where the budget is spent.
 */
export function shareAnonymousSubscriptions(
  subscribe: Subscribe,
  metrics: ServiceMetrics,
  spend: Spend | undefined,
  /** Where a client's events may be written as they come (`directDelivery`), instead of being read one by one. */
  sinkFor: (args: ExecutionArgs) => ((result: ExecutionResult) => boolean) | undefined = () => undefined,
): Subscribe {
  const executions = new SharedStreams<ExecutionResult>().measure(metrics.registry, 'gateway_subscriptions_shared', {
    sources: 'Executions of anonymous subscriptions, each shared by identical client subscriptions',
    subscribers: 'Anonymous client subscriptions fed by the shared executions',
  });
  return async (args) => {
    const context = args.contextValue as WebSocketContext;
    const key = shareableKey(context);
    if (key === undefined) return subscribe(args);
    const refused = await spend?.(context, 'graphql-ws');
    if (refused) return { errors: [refused] };
    context.budgetSpent = true;
    return executions.subscribe(key, () => subscribe(args), sinkFor(args));
  };
}

/** The key of an anonymous subscription whose text names it; undefined for anything else. */
function shareableKey({ params, connectionParams }: WebSocketContext): string | undefined {
  if (connectionParams && Object.keys(connectionParams).some((name) => name.toLowerCase() === 'authorization'))
    return undefined;
  if (!params || typeof params.query !== 'string') return undefined;
  const operationName = typeof params.operationName === 'string' ? params.operationName : undefined;
  let operation;
  try {
    operation = getOperationAST(parse(params.query), operationName);
  } catch {
    return undefined; // the pipeline answers it with its own error
  }
  if (operation?.operation !== 'subscription') return undefined;
  return canonicalJson({
    query: params.query,
    operationName: operationName ?? null,
    variables: params.variables ?? null,
    extensions: params.extensions ?? null,
  });
}
