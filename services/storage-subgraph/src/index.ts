import { startTracing } from '@polystore/common/tracing';

// Before the store drivers load (imported below), so that they are traced when tracing is on.
await startTracing('storage-subgraph');
const { runService } = await import('@polystore/common');
const { createStorageSubgraph } = await import('./server.js');

await runService(
  'storage-subgraph',
  createStorageSubgraph,
  (config) => config.ports.storage,
  (config) => config.metrics.ports.storage,
);
