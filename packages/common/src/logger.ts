import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config, LogLevel } from './config/config.js';
import { redactSecrets } from './log-redaction.js';
import { requestContext } from './request-context.js';

export type { DestinationStream, Logger };

/**
 * One logger per process with `service` on every line, so merged logs stay
 * readable: JSON lines for machines, or short human lines in a terminal.
 * Every argument of every line passes through `redactSecrets` first: pino's
 * own `redact` takes fixed paths, and secrets (the runtime's subgraph
 * requests, errors carrying them) sit at any depth and inside strings.
 * `destination`: where JSON lines go instead of stdout (tests read them).
 */
export function createLogger(
  service: string,
  level: LogLevel = 'info',
  format: Config['logFormat'] = 'json',
  destination?: DestinationStream,
): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    // The id of the request being served, on every line written on its behalf.
    mixin: () => requestContext.getStore() ?? {},
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...args: unknown[]) => void) {
        const [first, ...rest] = args as unknown[];
        // An error alone is logged as pino does (`err`, its message as the line's), minus its secrets.
        const given = first instanceof Error ? [{ err: first }, ...(rest.length > 0 ? rest : [first.message])] : args;
        method.apply(this, (given as unknown[]).map(redactSecrets));
      },
    },
  };
  if (destination) return pino(options, destination);
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
