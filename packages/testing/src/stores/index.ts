export * from './fixtures.js';
export * from './private-servers.js';
