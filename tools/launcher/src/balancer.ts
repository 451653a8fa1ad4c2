import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serviceProcess, type ServiceProcess } from './processes.js';

/** A balanced service: the port clients (or the gateways) reach, and its replicas' ports. */
export interface Balanced {
  name: string;
  frontendPort: number;
  replicaPorts: number[];
}

/** How the replicas of `name` are called in HAProxy's configuration and stats (`gateway-1`, …). */
export const serverName = (name: string, index: number) => `${name}-${index + 1}`;

/** The request header that pins a client to one replica while it is up (`x-polystore-pin: gateway-1`), when enabled. */
export const PIN_HEADER = 'x-polystore-pin';
/** The response header naming the replica that answered. */
export const SERVED_BY_HEADER = 'x-served-by';

export interface HaproxyOptions {
  /** HAProxy's admin socket, for tools that read its state (`show stat`). */
  statsSocket?: string;
  /** Honour `PIN_HEADER` (tests pin subscribers to a gateway they are about to kill). */
  pinning?: boolean;
}

/**
 * HAProxy's configuration: one frontend and one backend per balanced service.
 * Replicas are checked on `/ready` every 250 ms and taken out after two failed
 * checks; a request whose connection is refused (a replica just killed) is
 * sent to another replica (`retries`, `option redispatch`), so new requests
 * do not wait for the checks. WebSockets (graphql-ws) and server-sent events
 * pass through (`timeout tunnel`, long `timeout server`).
 */
export function haproxyConfig(services: Balanced[], { statsSocket, pinning = false }: HaproxyOptions = {}): string {
  const lines = [
    'global',
    '  maxconn 4096',
    ...(statsSocket ? [`  stats socket ${statsSocket} mode 600 level admin`] : []),
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
      ...(pinning
        ? servers.map(({ server }) => `  use-server ${server} if { req.hdr(${PIN_HEADER}) -m str ${server} }`)
        : []),
      ...servers.map(({ server, port }) => `  server ${server} 127.0.0.1:${port} check`),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Whether `haproxy` runs here (`haproxy -v`). */
export function haproxyInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('haproxy', ['-v'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/**
 * Writes the configuration into `dir` and runs HAProxy in the foreground, in a
 * process group of its own (Ctrl-C reaches the launcher, which stops it last).
 * Fails when HAProxy refuses the configuration or cannot bind its ports.
 */
export async function startHaproxy(dir: string, services: Balanced[]): Promise<ServiceProcess> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(services));
  const child = spawn('haproxy', ['-db', '-f', file], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2_000)));
  const haproxy = serviceProcess('haproxy', child);
  // Not left holding the ports when the launcher ends without stopping it (an uncaught error).
  const orphaned = () => child.kill();
  process.once('exit', orphaned);
  void haproxy.exited.then(() => process.off('exit', orphaned));
  // HAProxy refuses a bad configuration or a taken port within moments, or stays up.
  const early = await Promise.race([
    haproxy.exited,
    new Promise((resolve) => setTimeout(() => resolve('running'), 500)),
  ]);
  if (early !== 'running') throw new Error(`HAProxy did not start (${String(early)}): ${errors.trim()}`);
  return haproxy;
}
