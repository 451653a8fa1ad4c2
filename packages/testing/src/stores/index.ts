export * from './fixtures.js';
export { startPrivatePostgres, startPrivateRedis, type PrivateServer } from '@polystore/common/testing';
export * from './checksums.js';
export * from './wal-archive.js';
