import { parseArgs } from 'node:util';
import { createLogger } from '@polystore/common';
import { checkConsistency } from './consistency/check.js';
import { formatReport } from './consistency/summary.js';
import { storesConfig } from './stack-config.js';

/**
 * `npm run check-consistency [-- --json] [-- --samples N]`: checks the
 * references between the four stores. It reads the stores of a stack started
 * by `npm start` in the same DATA_DIR, else the configured ones. Exit code 0
 * when clean, 1 when anything is found, 2 when a store cannot be reached (or
 * the check cannot run), with one line saying why.
 */
// The pinned AWS SDK supports Node 20; its notice about future releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
try {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, samples: { type: 'string' } } });
  const samples = Number(values.samples ?? 10);
  if (!Number.isInteger(samples) || samples < 0) throw new Error('--samples takes a whole number');
  const effective = await storesConfig();
  // With --json, stdout carries the report only: progress goes to stderr.
  const log = values.json
    ? createLogger('check-consistency', effective.logLevel, 'json', process.stderr)
    : createLogger('check-consistency', effective.logLevel, effective.logFormat);
  const report = await checkConsistency({ config: effective, log, samples });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  process.exitCode = report.clean ? 0 : 1;
} catch (err) {
  console.error(`check-consistency: ${(err as Error).message}`);
  process.exitCode = 2;
}
