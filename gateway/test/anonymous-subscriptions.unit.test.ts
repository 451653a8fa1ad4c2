import { createMetrics } from '@polystore/common';
import { GraphQLError, parse, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { shareAnonymousSubscriptions } from '../src/plugins/subscriptions/anonymous-subscriptions.js';

/**
 * Which graphql-ws operations share one execution, and that each client who
 * joins one still spends its rate-limit budget.
 */
const SUBSCRIPTION = 'subscription { inventoryChanged { stock } }';

/** A pipeline that counts its executions and answers each with a stream of two events. */
function pipeline() {
  const calls: unknown[] = [];
  const subscribe = (args: ExecutionArgs) => {
    calls.push(args.contextValue);
    return (async function* () {
      yield { data: { n: 1 } } as ExecutionResult;
      yield { data: { n: 2 } } as ExecutionResult;
    })();
  };
  return { calls, subscribe };
}

const argsFor = (params: Record<string, unknown>, connectionParams: Record<string, unknown> = {}) =>
  ({ document: parse('subscription { x }'), contextValue: { params, connectionParams } }) as unknown as ExecutionArgs;

async function collect(result: unknown): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of result as AsyncIterable<unknown>) values.push(value);
  return values;
}

describe('shareAnonymousSubscriptions', () => {
  it('runs identical anonymous subscriptions once, and every client gets the events', async () => {
    const { calls, subscribe } = pipeline();
    const shared = shareAnonymousSubscriptions(subscribe, createMetrics('test'), undefined);
    const results = await Promise.all([1, 2, 3].map(() => shared(argsFor({ query: SUBSCRIPTION }))));
    expect(calls).toHaveLength(1);
    for (const result of results) expect(await collect(result)).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }]);
  });

  it('runs a signed-in client, a query or a mutation, and other variables on their own', async () => {
    const { calls, subscribe } = pipeline();
    const shared = shareAnonymousSubscriptions(subscribe, createMetrics('test'), undefined);
    await Promise.all([
      shared(argsFor({ query: SUBSCRIPTION })),
      shared(argsFor({ query: SUBSCRIPTION }, { Authorization: 'Bearer x' })),
      shared(argsFor({ query: SUBSCRIPTION, variables: { id: '1' } })),
      shared(argsFor({ query: '{ products { totalCount } }' })),
      shared(argsFor({ query: 'mutation { restock { stock } }' })),
      shared(argsFor({ query: 'mutation { restock { stock } }' })),
    ]);
    expect(calls).toHaveLength(6);
  });

  it('spends the budget of each client that joins, and refuses one over it without joining', async () => {
    const { calls, subscribe } = pipeline();
    let spent = 0;
    const refusal = new GraphQLError('rate limit reached', { extensions: { code: 'RATE_LIMITED' } });
    const spend = async () => (++spent > 2 ? refusal : undefined);
    const shared = shareAnonymousSubscriptions(subscribe, createMetrics('test'), spend);
    const first = await shared(argsFor({ query: SUBSCRIPTION }));
    const second = await shared(argsFor({ query: SUBSCRIPTION }));
    const third = await shared(argsFor({ query: SUBSCRIPTION }));
    expect(spent).toBe(3);
    expect(third).toEqual({ errors: [refusal] });
    // The pipeline ran once, told that this client's budget is already spent.
    expect(calls).toEqual([expect.objectContaining({ budgetSpent: true })]);
    expect(await collect(first)).toHaveLength(2);
    // The second joined a running stream: it gets what came after it joined.
    expect(await collect(second)).toContainEqual({ data: { n: 2 } });
  });
});
