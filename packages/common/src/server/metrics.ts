import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { Teardown } from '../teardown.js';
import { listenHttp } from './listen.js';
import { setSecurityHeaders } from './security-headers.js';

export interface ServiceMetrics {
  registry: Registry;
  /** Starts timing a request; call the returned function when the response has finished. */
  observe(req: IncomingMessage, res: ServerResponse): void;
  /**
   * A counter of this service's, or the one of that name already made (a registry
   * refuses a name twice; a second gateway or cache on one registry shares it).
   */
  counter<Label extends string>(name: string, help: string, labelNames: readonly Label[]): Counter<Label>;
  /** A gauge read when /metrics is scraped. */
  gauge(name: string, help: string, read: () => number): void;
}

/**
 * Prometheus metrics for one service: Node's process metrics plus request
 * counts and durations by route and status. Served on `/metrics` by `serveMetrics`.
 */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  return {
    registry,
    counter<Label extends string>(name: string, help: string, labelNames: readonly Label[]) {
      const existing = registry.getSingleMetric(name);
      if (existing) return existing as Counter<Label>;
      return new Counter<Label>({ name, help, labelNames, registers: [registry] });
    },
    gauge(name, help, read) {
      if (registry.getSingleMetric(name)) return;
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    },
    observe(req, res) {
      const end = duration.startTimer();
      res.once('finish', () => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        // Known routes only, so a client cannot grow the label set.
        const route = ['/graphql', '/health', '/ready', '/metrics'].includes(path) ? path : 'other';
        const labels = { route, method: req.method ?? 'GET', status: String(res.statusCode) };
        end(labels);
        requests.inc(labels);
      });
    },
  };
}

/** Answers `GET /metrics`; returns false for other paths. */
async function handleMetricsRequest(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: ServiceMetrics,
): Promise<boolean> {
  if ((req.url ?? '/').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/** Where a service's `/metrics` listener binds (`config.metrics`); port 0 picks a free one. */
export interface MetricsListener {
  host: string;
  port: number;
}

/**
 * Serves `GET /metrics` on a listener of its own, apart from the port clients
 * use, as Apollo Router and Hive Gateway do: by default on 127.0.0.1, where
 * only the machine's operators (or, in a container, the private network's
 * Prometheus) reach it. Returns the URL of `/metrics`; closed by the teardown.
 */
export async function serveMetrics(
  metrics: ServiceMetrics,
  { host, port }: MetricsListener,
  teardown: Teardown,
  log: Logger,
): Promise<string> {
  const server = createServer((req, res) => {
    setSecurityHeaders(res);
    handleMetricsRequest(req, res, metrics)
      .then((handled) => {
        if (!handled) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics');
      })
      .catch((err: unknown) => {
        log.error({ err }, 'metrics request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  const url = await listenHttp(server, port, host, '/metrics');
  teardown.add(
    'metrics http',
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Scrapers hold keep-alive connections; nothing worth finishing is in flight here.
        server.closeAllConnections();
      }),
  );
  log.info({ url }, 'metrics listening');
  return url;
}
