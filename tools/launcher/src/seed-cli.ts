import { createLogger, loadConfig, readStackState } from '@polystore/common';
import { seed } from './seed.js';

/**
 * `npm run seed`: loads the demo data into the running stack. It finds a
 * stack started by `npm start` in the same DATA_DIR (with its embedded
 * stores), else uses the configured gateway and S3.
 */
// The pinned AWS SDK supports Node 20; its notice about future releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const config = loadConfig();
const log = createLogger('seed', config.logLevel, config.logFormat);
const state = await readStackState(config.dataDir);
const effective = state ? loadConfig({ ...process.env, ...state.env }) : config;
const gatewayUrl = state?.gatewayUrl ?? `http://127.0.0.1:${config.ports.gateway}/graphql`;
try {
  await seed({ gatewayUrl, config: effective, log });
} catch (err) {
  log.fatal({ err, gatewayUrl }, 'seeding failed: is the stack running (npm start)?');
  process.exitCode = 1;
}
