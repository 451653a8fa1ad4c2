export * from './fixtures.js';
export * from './private-servers.js';
export * from './checksums.js';
