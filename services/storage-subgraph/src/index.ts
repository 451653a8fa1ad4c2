import { runService } from '@polystore/common';
import { createStorageSubgraph } from './server.js';

await runService('storage-subgraph', createStorageSubgraph, (config) => config.ports.storage);
