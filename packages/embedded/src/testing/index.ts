export * from './stores.js';
export * from './private-servers.js';
