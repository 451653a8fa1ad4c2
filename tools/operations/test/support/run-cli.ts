import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '@polystore/common';

/**
 * Runs one of the package's CLIs (`src/<name>.ts`) with only these variables
 * (no DATA_DIR of a running stack); its exit code and output.
 */
export function runCli(
  name: string,
  args: string[],
  env: Env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = fileURLToPath(new URL(`../../src/${name}.ts`, import.meta.url));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', cli, ...args],
      {
        env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', DATA_DIR: join(tmpdir(), `none-${randomUUID()}`), ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? -1) : 0, stdout, stderr }),
    );
  });
}
