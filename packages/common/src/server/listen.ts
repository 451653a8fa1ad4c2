import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens (port 0 picks a free port) and returns the URL of `path` on the bound address. */
export async function listenHttp(httpServer: Server, port: number, host: string, path: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = httpServer.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}${path}`;
}
