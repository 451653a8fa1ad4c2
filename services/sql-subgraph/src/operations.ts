/**
 * What operations tools (`tools/operations`: the consistency checker, backups,
 * restores) use of PostgreSQL, through the store layer: the pool, the
 * migrations, and the statements by id and by page that the API runs too. The package's only entry point for them.
 */
export { createDataSource } from './db/data-source.js';
export { knownMigrations, migrate, migrateTo } from './db/migrate.js';
export type { Queryable } from './db/statements.js';
export type { ProductEntity } from './entities/index.js';
export { byIds as productsByIds, page as productsPage } from './store/products.js';
export { byIds as usersByIds } from './store/users.js';
export { byIds as ordersByIds } from './store/orders.js';
export { countUnpublished as unpublishedEvents, RETENTION_DAYS as OUTBOX_RETENTION_DAYS } from './store/outbox.js';
