import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { estimateOperation, type OperationEstimate } from '../cost-estimate.js';

export interface CostLimitOptions {
  /** GATEWAY_MAX_COST: the budget of a signed-in operation; 0 turns every cost limit off. */
  maxCost: number;
  /** GATEWAY_MAX_COST_ANONYMOUS: the budget of an operation without a verified token (at most maxCost). */
  maxAnonymousCost: number;
  /** GATEWAY_MAX_FETCHES_ANONYMOUS: subgraph requests its plan may make without a token; 0: no limit. */
  maxAnonymousFetches: number;
  /** GATEWAY_MAX_FIELDS_ANONYMOUS: fields it may select without a token; 0: no limit but GATEWAY_MAX_FIELDS. */
  maxAnonymousFields: number;
  /** GATEWAY_DEFAULT_LIST_SIZE: the assumed length of a list the schema gives no size for. */
  defaultListSize: number;
}

const refusal = (message: string, extensions: Record<string, unknown>) =>
  new GraphQLError(message, {
    extensions: { code: 'COST_ESTIMATED_TOO_EXPENSIVE', ...extensions, http: { status: 400 } },
  });

/**
 * Refuses an operation whose estimate (`../cost-estimate.ts`) is over its caller's
 * budget, after validation and before anything is planned or sent: planning,
 * subgraph requests, merging and serialising all grow with what an operation asks
 * for, and an anonymous caller is not accountable, so its budget is smaller: its
 * cost, and what the cost leaves out, the subgraph requests its plan makes (each a
 * few ms of gateway CPU whatever it returns) and the fields it selects. Within all
 * three an anonymous answer stays within 20 ms of gateway CPU (docs/security.md,
 * `test/system/gateway-cpu.test.ts`). Signing in raises the cost budget to
 * GATEWAY_MAX_COST and lifts the other two. COST_ESTIMATED_TOO_EXPENSIVE (400),
 * with the estimate and the budget.
 */
export function useCostLimit({
  maxCost,
  maxAnonymousCost,
  maxAnonymousFetches,
  maxAnonymousFields,
  defaultListSize,
}: CostLimitOptions): GatewayPlugin | undefined {
  if (maxCost === 0) return undefined;
  const anonymousBudget = Math.min(maxAnonymousCost || maxCost, maxCost);
  const signIn = `or sign in, which raises the maximum cost to ${maxCost} and lifts this limit`;

  const anonymousRefusal = ({ cost, fetches, fields }: OperationEstimate): GraphQLError | undefined => {
    if (cost > anonymousBudget)
      return refusal(
        `Operation estimated cost ${cost} exceeds the maximum of ${anonymousBudget} for requests without a token (GATEWAY_MAX_COST_ANONYMOUS): ask for fewer items (smaller first) or fewer nested lists, or sign in, which raises the maximum to ${maxCost}.`,
        { cost: { estimated: cost, max: anonymousBudget } },
      );
    if (maxAnonymousFetches > 0 && fetches > maxAnonymousFetches)
      return refusal(
        `Operation needs an estimated ${fetches} subgraph requests, more than the ${maxAnonymousFetches} allowed without a token (GATEWAY_MAX_FETCHES_ANONYMOUS): ask for fields of fewer stores in turn (a review's author, then the author's orders), ${signIn}.`,
        { fetches: { estimated: fetches, max: maxAnonymousFetches } },
      );
    if (maxAnonymousFields > 0 && fields > maxAnonymousFields)
      return refusal(
        `Operation selects ${fields} fields, more than the ${maxAnonymousFields} allowed without a token (GATEWAY_MAX_FIELDS_ANONYMOUS), each fragment counted where it is spread: select fewer fields or aliases, ${signIn}.`,
        { fields: { selected: fields, max: maxAnonymousFields } },
      );
    return undefined;
  };

  const check = (args: ExecutionArgs): GraphQLError | undefined => {
    const context = args.contextValue as { jwt?: { payload?: unknown } } | undefined;
    const signedIn = Boolean(context?.jwt?.payload);
    let estimate: OperationEstimate | undefined;
    try {
      estimate = estimateOperation(args.schema, args.document, args.operationName, args.variableValues, {
        defaultListSize,
      });
    } catch {
      // An argument that does not coerce: execution refuses it with its own message.
      return undefined;
    }
    if (!estimate) return undefined;
    if (!signedIn) return anonymousRefusal(estimate);
    if (estimate.cost <= maxCost) return undefined;
    return refusal(
      `Operation estimated cost ${estimate.cost} exceeds the maximum of ${maxCost} (GATEWAY_MAX_COST): ask for fewer items (smaller first) or fewer nested lists.`,
      { cost: { estimated: estimate.cost, max: maxCost } },
    );
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = check(args);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = check(args);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}
