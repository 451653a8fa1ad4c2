import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/config.js';

export type { Logger };

/** One JSON logger per process; `service` is on every line so merged logs stay readable. */
export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: ['*.password', '*.secretAccessKey', 'req.headers.authorization'], remove: true },
  });
}
