import { createLogger, loadConfig, Teardown, type Env, type ServiceContext } from '@polystore/common';

/**
 * A service context for tests: config from the given variables only (never
 * the developer's shell), a quiet logger (TEST_LOG_LEVEL, default silent),
 * and a teardown to drain in afterAll.
 */
export function testServiceContext(env: Env): ServiceContext {
  const config = loadConfig({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env });
  const log = createLogger('test', config.logLevel);
  return { config, log, teardown: new Teardown(log) };
}

export interface StartedSubgraph<Server> {
  server: Server;
  url: string;
  teardown: ServiceContext['teardown'];
}

/**
 * Builds a service with a test context from `env` and listens on a free
 * port; close `teardown` in afterAll.
 */
export async function startForTest<Server extends { listen(port: number): Promise<string> }>(
  create: (context: ServiceContext) => Promise<Server>,
  env: Env,
): Promise<StartedSubgraph<Server>> {
  const context = testServiceContext(env);
  try {
    const server = await create(context);
    return { server, url: await server.listen(0), teardown: context.teardown };
  } catch (err) {
    await context.teardown.close();
    throw err;
  }
}
