import { connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '@polystore/testing';
import { run, start, type Started } from '../processes.js';

/** A balanced service: the frontend clients (or the gateways) reach, and its replicas' ports. */
export interface Balanced {
  name: string;
  frontendPort: number;
  replicaPorts: number[];
}

/** How the replicas of `name` are called in HAProxy's configuration and stats (`gateway-1`, …). */
export const serverName = (name: string, index: number) => `${name}-${index + 1}`;

/** The request header that pins a client to one replica while it is up (`x-polystore-pin: gateway-1`). */
export const PIN_HEADER = 'x-polystore-pin';
/** The response header naming the replica that answered. */
export const SERVED_BY_HEADER = 'x-served-by';

/**
 * HAProxy's configuration: one frontend and one backend per balanced service.
 * Replicas are checked on `/ready` every 250 ms and taken out after two failed
 * checks; a request whose connection is refused (a replica just killed) is
 * sent to the other replica (`retries`, `option redispatch`), so new requests
 * do not wait for the checks. WebSockets (graphql-ws) and server-sent events
 * pass through (`timeout tunnel`, long `timeout server`).
 */
export function haproxyConfig(services: Balanced[], statsSocket: string): string {
  const lines = [
    'global',
    '  maxconn 4096',
    `  stats socket ${statsSocket} mode 600 level admin`,
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout check 1s',
    '  timeout client 120s',
    '  timeout server 120s',
    '  timeout tunnel 1h',
    '  timeout client-fin 1s',
    '  timeout server-fin 1s',
    '  retries 3',
    '  option redispatch 1',
    '  default-server inter 250 fastinter 100 downinter 250 rise 2 fall 2',
  ];
  for (const { name, frontendPort, replicaPorts } of services) {
    const servers = replicaPorts.map((port, i) => ({ server: serverName(name, i), port }));
    lines.push(
      `frontend ${name}`,
      `  bind 127.0.0.1:${frontendPort}`,
      `  default_backend ${name}`,
      `backend ${name}`,
      '  balance roundrobin',
      '  option httpchk GET /ready',
      '  http-check expect status 200',
      `  http-response set-header ${SERVED_BY_HEADER} %s`,
      // A pinned client goes to its replica while that replica is up, else to the others.
      ...servers.map(({ server }) => `  use-server ${server} if { req.hdr(${PIN_HEADER}) -m str ${server} }`),
      ...servers.map(({ server, port }) => `  server ${server} 127.0.0.1:${port} check`),
    );
  }
  return `${lines.join('\n')}\n`;
}

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
  await writeFile(file, haproxyConfig(services, socket));
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
