import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@polystore/common';
import { takeBackup } from './backup/backup.js';
import { pruneSets, setName } from './backup/retention.js';
import { summarize } from './backup/summary.js';
import { StoreUnreachable } from './consistency/stores.js';
import { storesConfig } from './stack-config.js';

/**
 * `npm run backup [-- --out <dir>] [-- --keep N]`: writes one backup set of the
 * four stores (docs/operations.md, _Backups_) into `--out`, else into a new
 * `<UTC timestamp>` folder under BACKUP_DIR (default `./backups`); with
 * `--keep N`, then removes the complete sets there older than the N newest. It reads the stores of a stack started by
 * `npm start` in the same DATA_DIR, else the configured ones. Exit code 0
 * with the set's path and counts; 2 when a store cannot be reached or an
 * argument is wrong (one line, nothing written); 1 when the copy failed
 * midway (the set has no manifest: incomplete).
 */
// The pinned AWS SDK supports Node 20; its notice about future releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
try {
  const { values } = parseArgs({ options: { out: { type: 'string' }, keep: { type: 'string' } } });
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1))
    throw new Error('--keep takes a whole number of sets, at least 1');
  const config = await storesConfig();
  const log = createLogger('backup', config.logLevel, config.logFormat, process.stderr);
  const parent = config.backups.dir ?? 'backups';
  const out = values.out ?? join(parent, setName(new Date()));
  try {
    const { dir, manifest } = await takeBackup({ config, log, out });
    console.log(summarize(dir, manifest));
    if (keep !== undefined) {
      const { removed, incomplete } = await pruneSets(values.out ? dirname(out) : parent, keep);
      console.log(`kept the ${keep} newest complete sets; removed ${removed.length ? removed.join(', ') : 'none'}`);
      if (incomplete.length) console.log(`incomplete sets left for you to check: ${incomplete.join(', ')}`);
    }
  } catch (err) {
    if (err instanceof StoreUnreachable) throw err;
    console.error(`backup: failed, the set in ${out} is incomplete (no manifest): ${(err as Error).message}`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`backup: ${(err as Error).message}`);
  process.exitCode = 2;
}
