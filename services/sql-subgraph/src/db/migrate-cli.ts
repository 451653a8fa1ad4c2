import { createLogger, loadConfig } from '@polystore/common';
import { createDataSource } from './data-source.js';
import { migrate, revertLast } from './migrate.js';

/** `npm run migrate` (add `-- down` to revert the last migration); runs as DATABASE_OWNER_URL's role when set. */
const config = loadConfig();
const log = createLogger('migrate', config.logLevel, config.logFormat);
const service = createDataSource(config.postgres);
try {
  if (process.argv.includes('down')) {
    await revertLast(config.postgres);
    log.info('reverted the last migration');
  } else {
    await service.initialize();
    const applied = await migrate(service, config.postgres);
    log.info({ applied: applied.map((migration) => migration.name) }, `applied ${applied.length} migration(s)`);
  }
} catch (err) {
  log.fatal({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  if (service.isInitialized) await service.destroy();
}
