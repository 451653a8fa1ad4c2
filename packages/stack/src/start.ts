import { createLogger, loadConfig } from '@polystore/common';
import { startStack } from './stack.js';

/**
 * `npm start`: the whole stack in one terminal; Ctrl-C stops every process and
 * store cleanly. `npm run dev` adds `--watch`: services restart when their sources change.
 */
const config = loadConfig();
const log = createLogger('stack', config.logLevel);

try {
  const stack = await startStack({ log, watch: process.argv.includes('--watch') });
  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping the stack');
    await stack.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  void stack.failed.then((reason) => shutdown(reason, 1));
  process.stdout.write(
    `\n  Polystore is ready: ${stack.gatewayUrl}\n  Open it in a browser for the GraphQL IDE. Ctrl-C stops everything.\n\n`,
  );
} catch (err) {
  log.fatal({ err }, 'the stack failed to start');
  process.exit(1);
}
