/**
 * `npm run test:system`: The Guild's federation gateway audit (46 suites, 199
 * cases, each a supergraph over its own small subgraphs) against our gateway
 * process, once per configuration in `audit-configurations.ts`: with defaults,
 * and with every production plugin on (Redis response cache, APQ, JWT, subgraph
 * signing, demand control, rate limit), where each suite's cases run twice and
 * the second pass must be served by the response cache. Every answer must equal
 * the audit's. Prints `<n> passed, <m> failed` per configuration and exits
 * non-zero on any failure.
 *
 * FEDERATION_AUDIT_SUITES: a comma-separated list to run only those suites.
 * FEDERATION_AUDIT_CONCURRENCY: suites run at once (default 2).
 * FEDERATION_AUDIT_DIR: the audit's folder (default `../shared/federation-audit`
 * beside the repository, else `/work/shared/federation-audit`); it is copied to a
 * temporary folder and installed there (it may be read-only).
 * Wants Node 24, as the audit does.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort } from '@polystore/embedded';
import { eventually, untilAnswering } from '@polystore/testing';
import { auditConfigurations, gatewayEnv, type AuditConfiguration } from './audit-configurations.js';
import { killAll, run, start, type Started } from './processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The audit's folder: FEDERATION_AUDIT_DIR, else the shared one beside the repository (or this machine's). */
const AUDIT_SOURCE = [
  process.env['FEDERATION_AUDIT_DIR'],
  join(ROOT, '..', 'shared', 'federation-audit'),
  '/work/shared/federation-audit',
].find((dir): dir is string => dir !== undefined && existsSync(join(dir, 'package.json')));
const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const NODE = process.execPath;
/** The audit's cases in the test runner's own process where Node allows it (one process less per pass). */
const IN_PROCESS = process.allowedNodeEnvironmentFlags.has('--test-isolation') ? ['--test-isolation=none'] : [];

/** Bounds: a gateway must answer within this after it starts; one pass of a suite's cases must end within this. */
const GATEWAY_START_MS = 60_000;
const SUITE_PASS_MS = 120_000;
/** Suites run at once (each with its own gateway process); FEDERATION_AUDIT_CONCURRENCY, default 2 (the CPUs here). */
const CONCURRENCY = Number(process.env['FEDERATION_AUDIT_CONCURRENCY'] ?? 2);
/** The whole run, whatever happens. */
const RUN_MS = 30 * 60_000;

interface PassCount {
  passed: number;
  failed: number;
  failures: string[];
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<boolean> {
  if (Number(process.versions.node.split('.')[0]) < 24)
    log(`warning: the audit wants Node 24 and this is ${process.version}`);
  if (!AUDIT_SOURCE) throw new Error('the federation audit is not found: set FEDERATION_AUDIT_DIR');
  const work = await mkdtemp(join(tmpdir(), 'federation-audit-'));
  try {
    const audit = join(work, 'audit');
    await cp(AUDIT_SOURCE, audit, { recursive: true });
    // The copy keeps the source's read-only modes; npm must write beside them.
    await run('chmod', ['-R', 'u+w', audit], { cwd: work, env: process.env, timeoutMs: 30_000 });
    const install = await run('npm', ['ci', '--no-audit', '--no-fund', '--silent'], {
      cwd: audit,
      env: process.env,
      timeoutMs: 300_000,
    });
    if (install.code !== 0) throw new Error(`npm ci in the audit's copy failed:\n${install.output}`);

    const auditPort = await freePort();
    const server = start(NODE, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', String(auditPort)], {
      cwd: audit,
      env: process.env,
    });
    const auditUrl = `http://127.0.0.1:${auditPort}`;
    await untilAnswering(`${auditUrl}/ids`, 60_000).catch((err: Error) => {
      throw new Error(`the audit's server did not start: ${err.message}\n${server.output()}`);
    });
    // FEDERATION_AUDIT_SUITES=a,b runs only those suites (while working on one).
    const only = process.env['FEDERATION_AUDIT_SUITES']?.split(',').filter(Boolean);
    const suites = ((await (await fetch(`${auditUrl}/ids`)).json()) as string[]).filter(
      (suite) => !only || only.includes(suite),
    );
    log(`federation audit: ${suites.length} suites, served at ${auditUrl}`);

    const began = Date.now();
    const configurations = auditConfigurations(REDIS_URL);
    const results = configurations.map(() => new Map<string, SuiteResult>());
    // Every (configuration, suite) pair is one job; a few run at once (each starts its own gateway).
    const jobs = configurations.flatMap((configuration, c) => suites.map((suite) => ({ configuration, c, suite })));
    const worker = async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        const result = await runSuiteUnder(job.configuration, job.suite, { audit, auditUrl, work });
        results[job.c]!.set(job.suite, result);
        log(`[${job.configuration.name}] ${job.suite}: ${result.line}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    log(`\nfederation audit: ${Math.round((Date.now() - began) / 1000)} s for ${configurations.length} configurations`);
    let ok = true;
    for (const [c, configuration] of configurations.entries()) {
      if (configuration.redisKeyPrefix) await removeKeys(configuration.redisKeyPrefix);
      ok =
        summarise(
          configuration,
          suites.map((suite) => results[c]!.get(suite)!),
        ) && ok;
    }
    await server.stop();
    return ok;
  } finally {
    killAll();
    await rm(work, { recursive: true, force: true });
  }
}

interface SuiteResult {
  /** Per pass. */
  counts: PassCount[];
  cacheHits: number;
  line: string;
}

const passesOf = (configuration: AuditConfiguration) =>
  configuration.twice ? ['first pass', 'second pass (from the cache)'] : ['all cases'];

/** One suite under one configuration: its supergraph, a gateway on it, its cases (twice when the cache is on). */
async function runSuiteUnder(
  configuration: AuditConfiguration,
  suite: string,
  { audit, auditUrl, work }: { audit: string; auditUrl: string; work: string },
): Promise<SuiteResult> {
  const passes = passesOf(configuration);
  const supergraphPath = join(work, `${suite}.${configuration.name.replace(/\W+/g, '-')}.graphql`);
  await writeFile(supergraphPath, await (await fetch(`${auditUrl}/${suite}/supergraph`)).text());
  const expected = ((await (await fetch(`${auditUrl}/${suite}/tests`)).json()) as unknown[]).length;
  // Each suite is a deployment of its own: a gateway starting for one suite (its response cache
  // flushes the stored answers when it connects) must not empty another running suite's cache.
  const redisPrefix: Record<string, string> = configuration.redisKeyPrefix
    ? { REDIS_KEY_PREFIX: `${configuration.redisKeyPrefix}${suite}:` }
    : {};
  const gateway = await startGateway(configuration, supergraphPath, redisPrefix).catch((err: Error) => err);
  const counts: PassCount[] = [];
  const line: string[] = [];
  for (const pass of passes) {
    const count =
      gateway instanceof Error
        ? { passed: 0, failed: expected, failures: [`${suite}: ${gateway.message}`] }
        : await runSuite(suite, expected, { audit, auditUrl, graphqlUrl: gateway.url });
    counts.push(count);
    line.push(`${count.passed}/${expected}${passes.length > 1 ? ` ${pass.split(' ')[0]}` : ''}`);
  }
  let cacheHits = 0;
  if (!(gateway instanceof Error)) {
    if (configuration.twice) {
      cacheHits = await responseCacheHits(gateway.metricsUrl);
      line.push(`${cacheHits} from the cache`);
    }
    await gateway.process.stop();
  }
  return { counts, cacheHits, line: line.join(', ') };
}

/** Prints a configuration's closing lines (`<n> passed, <m> failed` per pass); true when all passed. */
function summarise(configuration: AuditConfiguration, results: SuiteResult[]): boolean {
  let ok = true;
  log(`\n== ${configuration.name}`);
  for (const [i, pass] of passesOf(configuration).entries()) {
    const counts = results.map((result) => result.counts[i]!);
    for (const failure of counts.flatMap((count) => count.failures)) log(`  FAILED ${failure}`);
    const passed = counts.reduce((sum, count) => sum + count.passed, 0);
    const failed = counts.reduce((sum, count) => sum + count.failed, 0);
    log(`${configuration.name}, ${pass}: ${passed} passed, ${failed} failed`);
    ok &&= failed === 0;
  }
  if (configuration.twice) {
    const hits = results.reduce((sum, result) => sum + result.cacheHits, 0);
    const cases = results.reduce((sum, result) => sum + result.counts[1]!.passed + result.counts[1]!.failed, 0);
    // Without hits the second pass only repeated the first: the cache must have served most of it.
    // Not all: answers with errors or a null entity are never stored, mutations are not cached
    // and drop what they changed.
    log(`${configuration.name}: ${hits} answers of the second pass (${cases} cases) served from the response cache`);
    ok &&= hits * 2 >= cases;
  }
  return ok;
}

/** Our gateway process (`gateway/src/index.ts`) on the suite's supergraph, once it answers a query. */
async function startGateway(
  configuration: AuditConfiguration,
  supergraphPath: string,
  extraEnv: Record<string, string>,
): Promise<{ url: string; metricsUrl: string; process: Started }> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const gateway = start(NODE, ['--openssl-legacy-provider', '--import', 'tsx', 'gateway/src/index.ts'], {
    cwd: ROOT,
    env: gatewayEnv({
      ...configuration.env,
      ...extraEnv,
      SUPERGRAPH_PATH: supergraphPath,
      SUPERGRAPH_POLL_MS: '0',
      GATEWAY_PORT: String(port),
      GATEWAY_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'error',
    }),
  });
  const url = `http://127.0.0.1:${port}`;
  // Foreign subgraphs have no `/ready`: a query answered is the sign.
  const answers = async () => {
    if (gateway.child.exitCode !== null) throw new Error(`the gateway exited:\n${gateway.output()}`);
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(2_000),
    }).catch(() => undefined);
    return response !== undefined && ((await response.json()) as { data?: unknown }).data !== undefined;
  };
  try {
    await eventually(answers, 'the gateway answers', GATEWAY_START_MS);
  } catch (err) {
    await gateway.stop();
    throw err;
  }
  return { url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, process: gateway };
}

/** One pass of a suite's cases (the audit's own runner, TAP output), counted case by case. */
async function runSuite(
  suite: string,
  expected: number,
  { audit, auditUrl, graphqlUrl }: { audit: string; auditUrl: string; graphqlUrl: string },
): Promise<PassCount> {
  const { output, timedOut } = await run(
    NODE,
    ['--import', 'tsx', '--test', ...IN_PROCESS, '--test-reporter=tap', 'src/test.ts'],
    {
      cwd: audit,
      env: {
        ...process.env,
        TEST_SUITE: suite,
        TESTS_ENDPOINT: `${auditUrl}/${suite}/tests`,
        GRAPHQL_ENDPOINT: `${graphqlUrl}/graphql`,
      },
      timeoutMs: SUITE_PASS_MS,
    },
  );
  const cases = [...output.matchAll(new RegExp(`^\\s*(not )?ok \\d+ - (${suite}_\\d+)\\s*$`, 'gm'))];
  const passed = cases.filter((match) => !match[1]).length;
  const failures = cases.filter((match) => match[1]).map((match) => match[2]!);
  // A case that never reported (a crash, the timeout) failed too.
  if (passed + failures.length < expected)
    failures.push(
      `${suite}: ${expected - passed - failures.length} cases without a result${timedOut ? ' (timed out)' : ''}`,
    );
  if (failures.length > 0) failures.push(`${suite} output:\n${output}`);
  return { passed, failed: expected - passed, failures };
}

/** Queries the gateway answered from its response cache, from its `/metrics` (on its metrics listener). */
async function responseCacheHits(metricsUrl: string): Promise<number> {
  const metrics = await (await fetch(metricsUrl)).text();
  return [...metrics.matchAll(/^gateway_response_cache_lookups_total\{[^}]*result="hit"[^}]*\} (\d+)/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

async function removeKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const stream = redis.scanStream({ match: `${prefix}*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}

const deadline = setTimeout(() => {
  log(`the system suite did not end within ${RUN_MS / 60_000} minutes`);
  killAll();
  process.exit(1);
}, RUN_MS);
deadline.unref();

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err: unknown) => {
    log(`federation audit failed to run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
