import { runService } from '@polystore/common';
import { createGateway } from './server.js';

await runService('gateway', createGateway, (config) => config.ports.gateway);
