import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getOperationAST } from 'graphql';
import type { RedisResponseStore } from './redis-store.js';

/**
 * A mutation's answer leaves once the cached responses it made stale are gone:
 * the cache plugin starts the invalidation without waiting for it, so the
 * client's next read could otherwise still be answered from the cache.
 */
export function useReadYourWrites(cache: RedisResponseStore): GatewayPlugin {
  const mutations = new WeakSet<Request>();
  return {
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (request && getOperationAST(args.document, args.operationName)?.operation === 'mutation')
        mutations.add(request);
    },
    async onResultProcess({ request }) {
      if (mutations.has(request)) await cache.invalidated();
    },
  };
}
