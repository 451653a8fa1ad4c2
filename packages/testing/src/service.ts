import {
  createLogger,
  loadConfig,
  SUBGRAPHS,
  Teardown,
  type DestinationStream,
  type Env,
  type ServiceContext,
} from '@polystore/common';

/** Every service's metrics listener on a free port: test files run side by side. */
const TEST_METRICS_PORTS: Env = Object.fromEntries(
  ['GATEWAY_METRICS_PORT', ...SUBGRAPHS.map((subgraph) => subgraph.metricsPortVariable)].map((name) => [name, '0']),
);

/**
 * A service context for tests: config from the given variables only (never
 * the developer's shell), a quiet logger (TEST_LOG_LEVEL, default silent) writing
 * JSON lines to stdout or `logs`, and a teardown to drain in afterAll. Metrics
 * listeners pick free ports unless `env` names them.
 */
export function testServiceContext(env: Env, logs?: DestinationStream): ServiceContext {
  const config = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...TEST_METRICS_PORTS,
    ...env,
  });
  const log = createLogger('test', config.logLevel, 'json', logs);
  return { config, log, teardown: new Teardown(log) };
}

export interface StartedSubgraph<Server> {
  server: Server;
  url: string;
  teardown: ServiceContext['teardown'];
  /** Closes `teardown`, so the service can be owned like any other fixture. */
  dispose(): Promise<void>;
}

/**
 * Builds a service with a test context from `env` and listens on a free
 * port; close `teardown` (or call `dispose`) in afterAll.
 */
export async function startForTest<Server extends { listen(port: number): Promise<string> }>(
  create: (context: ServiceContext) => Promise<Server>,
  env: Env,
): Promise<StartedSubgraph<Server>> {
  const context = testServiceContext(env);
  try {
    const server = await create(context);
    const url = await server.listen(0);
    return { server, url, teardown: context.teardown, dispose: () => context.teardown.close() };
  } catch (err) {
    await context.teardown.close();
    throw err;
  }
}
