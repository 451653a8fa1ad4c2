import { setMaxListeners } from 'node:events';
import { runService } from '@polystore/common';
import { createGateway } from './server.js';

// The runtime's HTTP executor hangs one abort listener per in-flight subgraph request on a
// long-lived signal and drops it once the request is garbage-collected; Node's leak warning
// (more than 10 listeners) misreads that under any concurrency.
setMaxListeners(0);

await runService('gateway', createGateway, (config) => config.ports.gateway);
