import { startTracing } from '@polystore/common/tracing';

// Before the store drivers load (imported below), so that they are traced when tracing is on.
await startTracing('mongo-subgraph');
const { runService } = await import('@polystore/common');
const { createMongoSubgraph } = await import('./server.js');

await runService(
  'mongo-subgraph',
  createMongoSubgraph,
  (config) => config.ports.mongo,
  (config) => config.metrics.ports.mongo,
);
