import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '@polystore/common';
import { freePort } from '@polystore/embedded';
import { composeSupergraph } from '@polystore/gateway/compose';
import { untilAnswering } from '@polystore/testing';
import type { TestStack } from './stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A gateway in a process of its own, in front of a test stack's subgraphs. */
export interface GatewayProcess {
  /** Its GraphQL endpoint. */
  url: string;
  pid: number;
  /** CPU seconds (user + system) the process has used so far, as the OS counts them (/proc, 10 ms ticks). */
  cpuSeconds(): number;
  dispose(): Promise<void>;
}

/** CPU seconds (utime + stime) of a process from /proc/<pid>/stat (Linux). */
export function processCpuSeconds(pid: number): number {
  // After "pid (comm) " utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 here.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Starts `gateway/src/index.ts` as deployed (its own process, its own event
 * loop, so its CPU can be measured apart from the test's) on the stack's
 * subgraphs, Redis and secrets, plus `env`; resolves once `/ready` answers.
 */
export async function startGatewayProcess(
  stack: TestStack,
  env: Env = {},
  /** Node flags, for example `--cpu-prof` (not allowed in NODE_OPTIONS). */
  execArgv: string[] = [],
): Promise<GatewayProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'polystore-gateway-'));
  const supergraph = join(dir, 'supergraph.graphql');
  await writeFile(supergraph, composeSupergraph(stack.subgraphUrls));
  const port = await freePort();
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', 'gateway/src/index.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: '',
      LOG_LEVEL: 'error',
      ...stack.env,
      GATEWAY_PORT: String(port),
      SUPERGRAPH_PATH: supergraph,
      SUPERGRAPH_POLL_MS: '0',
      // Metrics on a port of its own, free (never the fixed default another process may hold).
      GATEWAY_METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const dispose = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGTERM drains it (and writes a --cpu-prof profile); SIGKILL after 10 s.
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    let started = false;
    const failed = exited.then(() => {
      if (!started) throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode})`);
    });
    await Promise.race([untilAnswering(`http://127.0.0.1:${port}/ready`, 60_000), failed]);
    started = true;
  } catch (err) {
    await dispose();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    dispose,
  };
}
