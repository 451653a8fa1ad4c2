import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { OperationTypeNode } from 'graphql';
import { operationTypeOf } from './execution.js';

/** The extension a query's subgraph request carries: the count of mutations begun and ended at this gateway when it was sent. */
export const WRITES_BEGUN_EXTENSION = 'writes-begun';

/**
 * Read-your-writes for what de-duplication shares: a count of the mutations
 * at this gateway (over HTTP or WebSocket), raised when each begins and again
 * when it ends. The runtime de-duplicates identical subgraph requests in
 * flight, its key the request's body; each query's subgraph request carries
 * the count (`extensions.writes-begun`), so a query sent after a mutation
 * began, or after it ended, never joins a subgraph request sent before (or
 * while it ran), whose answer may not have the mutation's effect. The
 * identical queries in flight (`inflight-queries.ts`) compare the same count.
 */
export function writesBegun({ stampSubgraphRequests }: { stampSubgraphRequests: boolean }) {
  let count = 0;
  const plugin: GatewayPlugin = {
    onExecute({ args }) {
      if (operationTypeOf(args) !== OperationTypeNode.MUTATION) return;
      count += 1;
      // Counted again when it has written: a query begun while it ran may have read before its write.
      return {
        onExecuteDone() {
          count += 1;
        },
      };
    },
    onSubgraphExecute({ executionRequest, setExecutionRequest }) {
      // Nothing to keep apart when subgraph requests are not de-duplicated (the benchmarks' engine alone).
      if (!stampSubgraphRequests || operationTypeOf(executionRequest) !== OperationTypeNode.QUERY) return;
      setExecutionRequest({
        ...executionRequest,
        extensions: { ...executionRequest.extensions, [WRITES_BEGUN_EXTENSION]: count },
      });
    },
  };
  return { plugin, count: () => count };
}

/** What `writesBegun` makes: its plugin, and the count now. */
export type WritesBegun = ReturnType<typeof writesBegun>;
