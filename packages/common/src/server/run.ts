import { loadConfig, type Config } from '../config/config.js';
import { createLogger, type Logger } from '../logger.js';
import { installSignalHandlers, Teardown } from '../teardown.js';
import { stopTracing } from '../tracing/start.js';
import { serveMetrics, type ServiceMetrics } from './metrics.js';

export interface ServiceContext {
  config: Config;
  log: Logger;
  teardown: Teardown;
}

/**
 * Entry point shared by every service's `index.ts`: reads the config once,
 * builds the service, listens (clients on `port`, `/metrics` on `metricsPort`
 * unless METRICS_ENABLED=false), and turns SIGTERM into an orderly teardown.
 * A failure during start-up closes what was opened and exits non-zero.
 */
export async function runService(
  name: string,
  start: (
    context: ServiceContext,
  ) => Promise<{ listen(port: number, host?: string): Promise<string>; metrics: ServiceMetrics }>,
  port: (config: Config) => number,
  metricsPort: (config: Config) => number,
): Promise<void> {
  const config = loadConfig();
  const log = createLogger(name, config.logLevel, config.logFormat);
  const teardown = new Teardown(log);
  // Added first, so it runs last: the spans of the whole shutdown are sent too.
  teardown.add('tracing', stopTracing);
  installSignalHandlers(teardown, log, config.shutdownTimeoutMs);
  try {
    const server = await start({ config, log, teardown });
    await server.listen(port(config), config.host);
    if (config.metrics.enabled)
      await serveMetrics(server.metrics, { host: config.metrics.host, port: metricsPort(config) }, teardown, log);
  } catch (err) {
    log.fatal({ err }, `${name} failed to start`);
    await teardown.close(config.shutdownTimeoutMs);
    process.exit(1);
  }
}
