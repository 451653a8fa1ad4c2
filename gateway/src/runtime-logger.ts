import { Logger as RuntimeLogger, type LogLevel as RuntimeLogLevel } from '@graphql-hive/logger';
import { PinoLogWriter } from '@graphql-hive/logger/writers/pino';
import type { LogLevel, Logger } from '@polystore/common';

/** The runtime's levels for ours (it has no `fatal`; `silent` turns it off). */
const LEVELS: Record<LogLevel, RuntimeLogLevel | false> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
  silent: false,
};

/**
 * The gateway runtime's own logger (its `logging` option), writing into ours:
 * its lines get our format, the request id, and our redaction. Left to
 * itself it prints whole subgraph requests, claims and signatures included,
 * when a subgraph fails.
 */
export function runtimeLogger(log: Logger, level: LogLevel): RuntimeLogger {
  return new RuntimeLogger({ level: LEVELS[level], writers: [new PinoLogWriter(log.child({ component: 'runtime' }))] });
}
