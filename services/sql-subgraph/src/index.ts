import { startTracing } from '@polystore/common/tracing';

// Before the store drivers load (imported below), so that they are traced when tracing is on.
await startTracing('sql-subgraph');
const { runService } = await import('@polystore/common');
const { createSqlSubgraph } = await import('./server.js');

await runService(
  'sql-subgraph',
  createSqlSubgraph,
  (config) => config.ports.sql,
  (config) => config.metrics.ports.sql,
);
