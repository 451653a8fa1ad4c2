import { createLogger, loadConfig } from '@polystore/common';
import { createDataSource } from './data-source.js';

/** `npm run migrate` (add `-- down` to revert the last migration). */
const config = loadConfig();
const log = createLogger('migrate', config.logLevel, config.logFormat);
const dataSource = createDataSource(config.postgres);
try {
  await dataSource.initialize();
  if (process.argv.includes('down')) {
    await dataSource.undoLastMigration({ transaction: 'each' });
    log.info('reverted the last migration');
  } else {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    log.info({ applied: applied.map((migration) => migration.name) }, `applied ${applied.length} migration(s)`);
  }
} catch (err) {
  log.fatal({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  if (dataSource.isInitialized) await dataSource.destroy();
}
