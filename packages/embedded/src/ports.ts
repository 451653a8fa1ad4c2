import { createServer } from 'node:net';

/**
 * Ports are chosen below 32,768, where no system hands out ephemeral ports
 * (Linux 32768–60999, macOS and Windows 49152–65535): a port taken with
 * listen(0) is ephemeral, and in the seconds between choosing it and a service
 * listening on it, any outgoing connection on the machine (a test worker's to
 * PostgreSQL, say) could get it as its local port, and the service failed with
 * EADDRINUSE. Random within the range, checked free, a few tries; listen(0) last.
 */
const LOW = 20_000;
const HIGH = 32_767;

/** A free port on 127.0.0.1 outside the ephemeral range, for servers that cannot listen on port 0 themselves. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await isPortFree(port, '127.0.0.1')) return port;
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on `host:port` yet (and we may listen there). */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
