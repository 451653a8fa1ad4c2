import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { SPENT_BEFORE_RUNTIME, type BudgetContext, type SpendBudget } from './rate-limit-budget.js';

/**
 * Spends the budget before anything is executed: an HTTP request once, at parse
 * time (after the JWT plugin has put the claims on the context), unless it was
 * spent before the runtime; over graphql-ws
 * every operation a connection starts (each subscribe message, queries and
 * mutations included). A refused graphql-ws operation gets one error result and
 * ends; the connection and its other operations go on.
 */
export function useRateLimit(spend: SpendBudget | undefined): GatewayPlugin | undefined {
  if (!spend) return undefined;
  const spendOverWebSocket = (operation: BudgetContext) =>
    'connectionParams' in operation && !operation.budgetSpent ? spend(operation, 'graphql-ws') : undefined;
  return {
    async onRequestParse({ serverContext }) {
      const context = serverContext as BudgetContext;
      const early = context.req?.[SPENT_BEFORE_RUNTIME];
      const refused = early === undefined ? await spend(context, 'http') : early;
      if (refused) throw refused;
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const refused = await spendOverWebSocket(args.contextValue as BudgetContext);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const refused = await spendOverWebSocket(args.contextValue as BudgetContext);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}
