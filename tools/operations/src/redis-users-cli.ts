import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig, REDIS_SERVICES, type RedisService } from '@polystore/common';
import { newRedisPassword, provisionRedisUsers } from './redis-users/provision.js';

/**
 * `npm run redis-users -- --out <dir>`: creates the services' ACL users (under
 * REDIS_KEY_PREFIX) on every server of the deployment (REDIS_URL as an
 * administrator, with REDIS_SENTINELS or REDIS_CLUSTER_NODES when set), and
 * writes each service's REDIS_URL to `<dir>/<service>.env` (mode 600), for
 * that service's secret. Run again (after adding a replica or a node, or a
 * failover) it keeps the passwords already in those files. No secret is printed.
 * Exit code 0 when every server holds the users, 1 otherwise, 2 on bad usage.
 */
const SERVICES = Object.keys(REDIS_SERVICES) as RedisService[];

try {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) {
    console.error('usage: npm run redis-users -- --out <dir> (where each service REDIS_URL is written)');
    process.exit(2);
  }
  const config = loadConfig();
  const log = createLogger('redis-users', config.logLevel, config.logFormat);
  const files = Object.fromEntries(SERVICES.map((service) => [service, join(values.out!, `${service}.env`)]));
  const passwords = Object.fromEntries(
    await Promise.all(
      SERVICES.map(async (service) => [service, (await passwordIn(files[service]!)) ?? newRedisPassword()]),
    ),
  ) as Record<RedisService, string>;
  const { nodes, serviceUrls } = await provisionRedisUsers({ config, passwords, log });
  await mkdir(values.out, { recursive: true, mode: 0o700 });
  for (const service of SERVICES)
    await writeFile(files[service]!, `REDIS_URL=${serviceUrls[service]}\n`, { mode: 0o600 });
  console.log(
    `users for ${SERVICES.join(', ')} set on ${nodes.map(({ host, port, role }) => `${host}:${port} (${role})`).join(', ')}; ` +
      `each service's REDIS_URL is in ${values.out}/<service>.env`,
  );
} catch (err) {
  console.error(`redis-users: ${(err as Error).message}`);
  process.exitCode = 1;
}

/** The password of the REDIS_URL a previous run wrote, so a run again keeps it. */
async function passwordIn(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const url = text?.match(/^REDIS_URL=(.+)$/m)?.[1];
  return url ? decodeURIComponent(new URL(url).password) || undefined : undefined;
}
