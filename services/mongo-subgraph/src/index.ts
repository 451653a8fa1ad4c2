import { runService } from '@polystore/common';
import { createMongoSubgraph } from './server.js';

await runService('mongo-subgraph', createMongoSubgraph, (config) => config.ports.mongo);
