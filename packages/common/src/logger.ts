import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config, LogLevel } from './config/config.js';
import { requestContext } from './request-context.js';

export type { Logger };

/**
 * One logger per process with `service` on every line, so merged logs stay
 * readable: JSON lines for machines, or short human lines in a terminal.
 */
export function createLogger(service: string, level: LogLevel = 'info', format: Config['logFormat'] = 'json'): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    // The id of the request being served, on every line written on its behalf.
    mixin: () => requestContext.getStore() ?? {},
    redact: { paths: ['*.password', '*.secretAccessKey', 'req.headers.authorization'], remove: true },
  };
  if (format === 'json' || (format === 'auto' && !process.stdout.isTTY)) return pino(options);
  return pino(
    options,
    pretty({
      // Synchronous: lines appear in order with the other processes sharing the terminal.
      sync: true,
      singleLine: true,
      colorize: process.stdout.isTTY,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,service,name',
      messageFormat: '{service}: {msg}',
    }),
  );
}
