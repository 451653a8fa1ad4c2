import { connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '@polystore/testing';
import { haproxyConfig, type Balanced } from '@polystore/launcher';
import { run, start, type Started } from '../processes.js';

export { PIN_HEADER, SERVED_BY_HEADER, serverName, type Balanced } from '@polystore/launcher';

export interface Haproxy {
  process: Started;
  /** Each server's state as HAProxy's checks see it (`UP`, `DOWN`, …) and the requests it was sent, by server name. */
  servers(): Promise<Map<string, { status: string; sessions: number }>>;
  /** Waits until every server HAProxy balances is `UP` (after a replica restarted). */
  allUp(timeoutMs?: number): Promise<void>;
}

/** Writes the configuration into `dir`, checks it (`haproxy -c`) and starts HAProxy in the foreground. */
export async function startHaproxy(dir: string, services: Balanced[]): Promise<Haproxy> {
  const socket = join(dir, 'haproxy.sock');
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(services, { statsSocket: socket, pinning: true }));
  const checked = await run('haproxy', ['-c', '-q', '-f', file], { cwd: dir, env: process.env, timeoutMs: 10_000 });
  if (checked.code !== 0) throw new Error(`haproxy rejects its configuration: ${checked.output}`);
  const process_ = start('haproxy', ['-db', '-f', file], { cwd: dir, env: process.env });
  const servers = async () => {
    const csv = await statsCommand(socket, 'show stat\n');
    const found = new Map<string, { status: string; sessions: number }>();
    for (const row of csv.split('\n').filter((line) => line && !line.startsWith('#'))) {
      // Columns 1, 7 and 17 of `show stat`: svname, stot, status.
      const fields = row.split(',');
      const [server, sessions, status] = [fields[1]!, Number(fields[7]), fields[17]!];
      if (server !== 'FRONTEND' && server !== 'BACKEND') found.set(server, { status, sessions });
    }
    return found;
  };
  const allUp = (timeoutMs = 30_000) =>
    eventually(
      async () => {
        const states = await servers().catch(() => new Map<string, { status: string }>());
        return states.size > 0 && [...states.values()].every(({ status }) => status === 'UP');
      },
      'every replica UP in HAProxy',
      timeoutMs,
    );
  return { process: process_, servers, allUp };
}

/** One command on HAProxy's stats socket; resolves with its whole answer. */
function statsCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const connection = connect(socket, () => connection.end(command));
    connection.setTimeout(2_000, () => connection.destroy(new Error('HAProxy stats socket timed out')));
    connection.on('data', (chunk: Buffer) => chunks.push(chunk));
    connection.on('end', () => resolve(Buffer.concat(chunks).toString()));
    connection.on('error', reject);
  });
}
