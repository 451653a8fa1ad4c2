import { createServer, request, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { freePort } from '@polystore/embedded';
import type { Disposable } from '@polystore/testing/stores';

/** An HTTP proxy in front of S3 that counts the calls through it. */
export async function countingHttpProxy(target: string): Promise<Disposable & { url: string; count: () => number }> {
  let calls = 0;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    calls++;
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => calls,
    dispose: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A TCP proxy in front of a server (Redis) that counts the writes its clients
 * send: a client sends a pipeline (or one command) in one write, which arrives
 * here as one chunk on loopback, so the count is the round trips the clients
 * started. `url` is `target` with the proxy's port (credentials kept).
 */
export async function countingTcpProxy(target: URL): Promise<Disposable & { url: string; count: () => number }> {
  let writes = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', () => void writes++);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = new URL(target);
  url.port = String(port);
  return {
    url: url.toString(),
    count: () => writes,
    async dispose() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
