/**
 * What operations tools (`tools/operations`: backups) read of the gateway's
 * state in Redis: where the registered operations (the persisted-query
 * allow-list) live. The package's only entry point for them.
 */
export { PERSISTED_QUERY_NAMESPACE, operationHash } from './plugins/persisted-queries/redis-store.js';
