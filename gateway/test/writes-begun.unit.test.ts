import { parse } from 'graphql';
import { writesBegun, WRITES_BEGUN_EXTENSION } from '../src/plugins/writes-begun.js';

/**
 * The count de-duplication compares (`writes-begun.ts`): raised when a
 * mutation begins and again when it ends, so a query begun while a mutation
 * ran is never shared with one sent after it; stamped on queries' subgraph
 * requests only.
 */
type Hooks = { onExecuteDone?: () => void } | void;
const execute = (writes: ReturnType<typeof writesBegun>, source: string) =>
  (writes.plugin.onExecute as (payload: unknown) => Hooks)({ args: { document: parse(source) } });

const stamped = (writes: ReturnType<typeof writesBegun>, source: string) => {
  let sent: { extensions?: Record<string, unknown> } | undefined;
  (writes.plugin.onSubgraphExecute as (payload: unknown) => void)({
    executionRequest: { document: parse(source), extensions: { kept: true } },
    setExecutionRequest: (request: typeof sent) => (sent = request),
  });
  return sent?.extensions;
};

describe('mutations counted for de-duplication', () => {
  it('counts a mutation when it begins and again when it ends; queries are not counted', () => {
    const writes = writesBegun({ stampSubgraphRequests: true });
    expect(execute(writes, '{ a }')).toBeUndefined();
    expect(writes.count()).toBe(0);
    const running = execute(writes, 'mutation { b }');
    expect(writes.count()).toBe(1);
    // A query begun now carries 1; one begun after the mutation's answer carries 2: never shared.
    running!.onExecuteDone!();
    expect(writes.count()).toBe(2);
  });

  it("stamps the count on queries' subgraph requests, keeping their extensions, and not on mutations'", () => {
    const writes = writesBegun({ stampSubgraphRequests: true });
    execute(writes, 'mutation { b }');
    expect(stamped(writes, '{ a }')).toEqual({ kept: true, [WRITES_BEGUN_EXTENSION]: 1 });
    expect(stamped(writes, 'mutation { b }')).toBeUndefined();
  });

  it('stamps nothing when subgraph requests are not de-duplicated', () => {
    const writes = writesBegun({ stampSubgraphRequests: false });
    execute(writes, 'mutation { b }');
    expect(stamped(writes, '{ a }')).toBeUndefined();
    expect(writes.count()).toBe(1);
  });
});
