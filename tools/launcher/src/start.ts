import { ConfigError, createLogger, loadConfig, type Config } from '@polystore/common';
import { IncompatibleDataError } from '@polystore/embedded';
import { StackStartError, startStack, type RunningStack } from './stack.js';
import { startStoresOnly, type RunningStores } from './stores-only.js';

/**
 * `npm start`: the whole stack in one terminal; Ctrl-C stops every process and
 * store cleanly, also while it is still starting. `npm run dev` adds `--watch`:
 * services restart when their sources change; `--stores-only` runs the embedded
 * stores alone (for a restore).
 */
// The pinned AWS SDK supports this Node; its notice about future releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`polystore: ${err.message}\n`);
  process.exit(1);
}
const log = createLogger('stack', config.logLevel, config.logFormat);
const replicas = replicasArgument(process.argv);

const starting = new AbortController();
let stack: RunningStack | undefined;
/** What Ctrl-C stops once started: the whole stack, or the stores alone (`--stores-only`). */
let running: { stop(): Promise<void> } | undefined;
let stopping = false;
const shutdown = async (reason: string, code: number) => {
  if (stopping) return;
  stopping = true;
  log.info({ reason }, 'stopping the stack');
  if (running) await running.stop();
  else starting.abort(new Error(reason)); // the start stops what had started, then rejects
  if (running) process.exit(code);
};
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

if (process.argv.includes('--stores-only')) await serveStoresOnly();

try {
  stack = await startStack({ log, watch: process.argv.includes('--watch'), replicas, signal: starting.signal });
  running = stack;
  if (stopping) {
    // The signal came after the last check: stop it now.
    await stack.stop();
    process.exit(0);
  }
  void stack.failed.then((reason) => shutdown(reason, 1));
  const { user, admin } = stack.tokens;
  const tokens = user
    ? `\n  Development tokens (valid 12 hours; in the IDE's Headers tab: {"Authorization": "Bearer <token>"}):\n` +
      `    user:  ${user}\n    admin: ${admin}\n`
    : '';
  const balanced = replicas > 1 ? `  ${replicas} replicas of each service behind HAProxy.\n` : '';
  const metrics = stack.metricsUrl
    ? `  Metrics for operators (Prometheus, this machine only): ${stack.metricsUrl}\n`
    : '';
  process.stdout.write(
    `\n  Polystore is ready: ${stack.gatewayUrl}\n  Open it in a browser for the GraphQL IDE. Ctrl-C stops everything.\n${balanced}${metrics}${tokens}\n`,
  );
} catch (err) {
  if (starting.signal.aborted) {
    log.info('stopped during start-up');
    process.exit(130);
  }
  if (err instanceof StackStartError || err instanceof IncompatibleDataError) log.fatal(err.message);
  else log.fatal({ err }, 'the stack failed to start');
  process.exit(1);
}

/**
 * `--stores-only`: the embedded stores and no service, until Ctrl-C, for a restore
 * (`npm run restore`) that nothing else writes during.
 */
async function serveStoresOnly(): Promise<never> {
  let stores: RunningStores;
  try {
    stores = await startStoresOnly({ log, signal: starting.signal });
  } catch (err) {
    if (starting.signal.aborted) process.exit(130);
    if (err instanceof StackStartError || err instanceof IncompatibleDataError) log.fatal(err.message);
    else log.fatal({ err }, 'the stores failed to start');
    process.exit(1);
  }
  running = stores;
  if (stopping) {
    // The signal came after the last check: stop them now.
    await stores.stop();
    process.exit(0);
  }
  void stores.failed.then((reason) => {
    log.fatal({ reason }, 'an embedded store died');
    void shutdown(reason, 1);
  });
  process.stdout.write(
    `\n  The stores of ${config.dataDir} are running, and no service: run npm run restore (or backup,\n` +
      `  check-consistency) in another terminal, then Ctrl-C, then npm start.\n\n`,
  );
  return new Promise<never>(() => {});
}

/** `--replicas N` or `--replicas=N` (1 without it; a value that is not a number is refused by the stack). */
function replicasArgument(argv: string[]): number {
  const index = argv.findIndex((arg) => arg === '--replicas' || arg.startsWith('--replicas='));
  if (index < 0) return 1;
  const value = argv[index]!.includes('=') ? argv[index]!.split('=')[1] : argv[index + 1];
  return Number(value);
}
