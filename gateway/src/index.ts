import { setMaxListeners } from 'node:events';
import { startTracing } from '@polystore/common/tracing';

// Before Redis's driver loads (imported below), so that it is traced when tracing is on.
await startTracing('gateway');
const { runService } = await import('@polystore/common');
const { createGateway } = await import('./server.js');

// The runtime's HTTP executor hangs one abort listener per in-flight subgraph request on a
// long-lived signal and drops it once the request is garbage-collected; Node's leak warning
// (more than 10 listeners) misreads that under any concurrency.
setMaxListeners(0);

await runService(
  'gateway',
  createGateway,
  (config) => config.ports.gateway,
  (config) => config.metrics.ports.gateway,
);
