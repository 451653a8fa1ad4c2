export * from './ports.js';
export * from './embedded/postgres.js';
export * from './embedded/postgres-recovery.js';
export * from './embedded/wal-archive.js';
export * from './embedded/postgres-roles.js';
export * from './embedded/redis.js';
export * from './embedded/mongo.js';
export * from './embedded/s3.js';
