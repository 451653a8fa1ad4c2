import { runService } from '@polystore/common';
import { createSqlSubgraph } from './server.js';

await runService('sql-subgraph', createSqlSubgraph, (config) => config.ports.sql);
