import { flag, inSection, integer, oneOf, optionalText, secret, text, url } from '../variable.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Logging and the HTTP servers, for every process. */
export const general = inSection(
  { title: 'General' },
  {
    logLevel: oneOf({ name: 'LOG_LEVEL', values: LOG_LEVELS, default: 'info', doc: 'Least severe level logged.' }),
    logFormat: oneOf({
      name: 'LOG_FORMAT',
      values: ['auto', 'pretty', 'json'],
      default: 'auto',
      doc: '`pretty`: short human lines; `json`: one object a line; `auto`: pretty when stdout is a terminal, else json.',
    }),
    host: text({
      name: 'HOST',
      default: '127.0.0.1',
      doc: 'Interface every HTTP server binds to (containers use 0.0.0.0).',
    }),
    shutdownTimeoutMs: integer({
      name: 'SHUTDOWN_TIMEOUT_MS',
      default: 10_000,
      min: 0,
      doc: 'Milliseconds a SIGTERM waits for in-flight work before closing anyway.',
    }),
  },
);

export const tracing = inSection(
  { title: 'Tracing (OpenTelemetry)' },
  {
    otlpEndpoint: url({
      name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      example: 'http://127.0.0.1:4318',
      unset: 'no tracing, and the OpenTelemetry SDK is not loaded',
      doc: 'OTLP/HTTP collector base URL; every service sends its spans (gateway → subgraph → store) to `<url>/v1/traces` as JSON (docs/gateway.md).',
    }),
    samplePercent: integer({
      name: 'TRACES_SAMPLE_PERCENT',
      default: 100,
      min: 0,
      max: 100,
      doc: "Percentage of new traces recorded; a caller's traceparent decision is always followed.",
    }),
  },
);

/** What `npm start` (the launcher) does with the embedded stores. */
export const launcher = inSection(
  { title: 'npm start' },
  {
    dataDir: text({ name: 'DATA_DIR', default: '.data', doc: "Folder for the embedded stores' data and logs." }),
    seedOnStart: flag({ name: 'SEED_ON_START', default: true, doc: 'Load demo data into empty stores on start.' }),
  },
);

/** Where `npm run backup` writes its sets. */
export const backups = inSection(
  { title: 'Backups' },
  {
    dir: optionalText({
      name: 'BACKUP_DIR',
      example: '/var/backups/polystore',
      unset: '`./backups`',
      doc: 'Folder under which each `npm run backup` writes its set, a new `<UTC timestamp>` folder (created 0700), or `s3://<bucket>/<prefix>` for sets in S3 (reached with the S3_* connection); `--out` names the set folder or prefix instead, `--keep N` prunes older sets in a folder (docs/operations.md).',
    }),
    encryptionKey: secret({
      name: 'BACKUP_ENCRYPTION_KEY',
      example: '<at least 32 random characters, kept apart from the backups>',
      unset: 'sets are written in clear (still readable by their owner only)',
      doc: 'Passphrase that encrypts every file of a backup set (AES-256-GCM, key derived with scrypt); `npm run restore` needs the same one and refuses a wrong one before writing anything.',
    }),
    walArchiveDir: optionalText({
      name: 'POSTGRES_WAL_ARCHIVE_DIR',
      example: '/var/lib/polystore/wal-archive',
      unset: 'the embedded PostgreSQL keeps no WAL archive: a restore goes back to a set, not to any moment',
      doc: "Folder of PostgreSQL's WAL archive, for point-in-time recovery: `npm start`'s embedded server archives every WAL segment into it, a folder per cluster (a segment at least every 60 s under writes), `npm run backup` then adds a base backup to each set, and `npm run restore -- <set> --to-time <moment>` replays the archive to that moment (docs/operations.md). Keep it on another disk than DATA_DIR.",
    }),
  },
);
