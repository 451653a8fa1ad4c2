import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { disposeOnInterrupt } from './lib/cleanup.js';
import { KnobError, knobHelp, readKnobs } from './lib/knobs.js';
import { ComponentError } from './lib/process.js';
import { table, writeResults } from './lib/report.js';
import type { Row } from './lib/row.js';
import type { Scenario } from './lib/scenario.js';
import { defer } from './scenarios/defer.js';
import { e2e } from './scenarios/e2e.js';
import { engine } from './scenarios/engine.js';
import { overhead } from './scenarios/overhead.js';
import { writes } from './scenarios/writes.js';
import { subscriptions } from './scenarios/subscriptions.js';
import { nPlusOne } from './scenarios/n-plus-one.js';
import { cache } from './scenarios/cache.js';
import { responseCache } from './scenarios/response-cache.js';
import { attack } from './scenarios/attack.js';
import { backup } from './scenarios/backup.js';
import { pointInTime } from './scenarios/point-in-time.js';
import { soak } from './scenarios/soak.js';

/**
 * `npm run bench [scenario…]`: runs the named scenarios (all by default) in
 * order, prints one table, writes bench/results/latest.json and latest.svg.
 * Every load goes to 127.0.0.1 from this process; the servers measured run
 * in child processes. Knobs are environment variables (see --help).
 */
// The pinned AWS SDK supports Node 20; its notice about future releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// One address sends all the load: per-client rate limits would measure themselves, not the gateway.
process.env.GATEWAY_RATE_LIMIT ??= '0';
// The engine scenario's query (the public gateway benchmark's) nests five unsized lists: its estimated
// cost is far above the default limit. The bench measures the engine, so the cost limit is off.
process.env.GATEWAY_MAX_COST ??= '0';

const SCENARIOS: Scenario[] = [
  engine,
  overhead,
  e2e,
  defer,
  cache,
  responseCache,
  nPlusOne,
  writes,
  subscriptions,
  attack,
  backup,
  pointInTime,
  soak,
];

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    `npm run bench [scenario…]\n\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(14)} ${s.description}`).join('\n')}\n\nKnobs (environment):\n${knobHelp()}`,
  );
  process.exit(0);
}
const unknown = args.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length) {
  console.error(`unknown scenario: ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  process.exit(2);
}
let knobs;
try {
  knobs = readKnobs();
} catch (err) {
  if (err instanceof KnobError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
disposeOnInterrupt();
const chosen = args.length ? SCENARIOS.filter((s) => args.includes(s.name)) : SCENARIOS;

const version = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;
const meta = {
  date: new Date().toISOString(),
  command: `npm run bench${args.length ? ` ${args.join(' ')}` : ''}`,
  knobs,
  commit: execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim(),
  versions: Object.fromEntries(
    [
      '@graphql-hive/gateway-runtime',
      '@graphql-hive/router-runtime',
      '@apollo/gateway',
      '@apollo/server',
      'graphql',
    ].map((name) => [name, version(name)]),
  ),
};
console.error(`${meta.command}: ${chosen.map((s) => s.name).join(', ')}; knobs ${JSON.stringify(knobs)}`);

const rows: Row[] = [];
let failed = false;
for (const scenario of chosen) {
  const started = Date.now();
  console.error(`\n== ${scenario.name}: ${scenario.description}`);
  try {
    rows.push(...(await scenario.run(knobs)));
  } catch (err) {
    failed = true;
    const message =
      err instanceof ComponentError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    console.error(`scenario ${scenario.name} failed: ${message}`);
    rows.push({
      scenario: scenario.name,
      variant: 'FAILED',
      side: '',
      extra: { error: String((err as Error).message ?? err) },
    });
  }
  console.error(`== ${scenario.name} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
console.log(`\n${meta.command} — ${meta.date}, commit ${meta.commit}, knobs ${JSON.stringify(knobs)}\n`);
console.log(table(rows));
const files = await writeResults(rows, meta, chosen.length === SCENARIOS.length);
console.log(`\nwritten: ${files.join(', ')}`);
process.exit(failed ? 1 : 0);
