import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Config } from '@polystore/common';
import { createDataSource, knownMigrations, migrate, migrateTo } from '@polystore/sql-subgraph/operations';
import { columnsOf, type PostgresCopy } from '../backup/postgres.js';
import type { Progress } from '../backup/progress.js';
import { UnusableSet, type SetReader } from './set-reader.js';

const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * The rows a restore loads into PostgreSQL: the set's snapshot, or a copy of
 * the set recovered to a later moment (`point-in-time.ts`).
 */
export interface RowsSource {
  /** What the rows are, in errors: "the set", "the recovered database". */
  name: string;
  migrationLevel: PostgresCopy['migrationLevel'];
  /** In foreign-key order, with their row counts. */
  tables: { name: string; columns: string[]; rows: number }[];
  /** A table's rows in COPY's text format. */
  open(table: string): Readable;
  sequences: PostgresCopy['sequences'];
  /** Outbox rows from this id on are sent again when the services start. */
  replayFromOutboxId: string;
  /** How many outbox rows that is. */
  eventsToReplay: number;
}

/** The set's own snapshot. */
export function rowsOfSet(set: SetReader): RowsSource {
  const { tables, sequences } = set.manifest.stores.postgres;
  const files = new Map(tables.map((table) => [table.name, table.file]));
  return {
    name: 'the set',
    migrationLevel: set.manifest.migrationLevel,
    tables,
    open: (table) => set.open(files.get(table)!),
    sequences,
    replayFromOutboxId: set.manifest.positions.replay.fromOutboxId,
    eventsToReplay: set.manifest.positions.replay.events,
  };
}

/** A migration level as a count of this product's migrations; refuses one of another history or a newer version. */
export function knownMigrationCount({ last, count }: PostgresCopy['migrationLevel']): number {
  const known = knownMigrations();
  if (count > known.length)
    throw new UnusableSet(
      `the set is at migration ${last} (${count}); this version knows ${known.length}: restore it with a newer version`,
    );
  if (count > 0 && known[count - 1] !== last)
    throw new UnusableSet(
      `the set's migration ${count} is ${last}, this version's is ${known[count - 1]}: another schema history`,
    );
  return count;
}

/** Tables of the schema that hold rows (the migrations' own table aside): a restore refuses to write over them. */
export async function postgresRowsPresent(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname <> $1 ORDER BY 1`,
    [MIGRATIONS_TABLE],
  );
  const filled: string[] = [];
  for (const { name } of rows) {
    const result = await client.query(`SELECT 1 FROM ${client.escapeIdentifier(name)} LIMIT 1`);
    if (result.rowCount) filled.push(name);
  }
  return filled;
}

/**
 * Loads the rows in one transaction, as the schema's owner: the tables
 * emptied, their own triggers off while their rows go in (a restored
 * product must not write a second `ProductCreated`, nor an order a second
 * history row; foreign keys stay on and hold, rows load in their order),
 * then the sequences set, and the replay window's outbox rows marked
 * unpublished so the relay sends them again when the services start.
 */
async function loadRows(client: pg.Client, source: RowsSource, progress: Progress): Promise<void> {
  const loaded = source.tables.filter(({ name }) => name !== MIGRATIONS_TABLE);
  const quoted = (name: string) => client.escapeIdentifier(name);
  const bar = progress.bar('postgres tables', loaded.length);
  await client.query('BEGIN');
  try {
    await client.query(`TRUNCATE ${loaded.map(({ name }) => quoted(name)).join(', ')}`);
    for (const table of loaded) {
      const present = await columnsOf(client, table.name);
      if (present.join(',') !== table.columns.join(','))
        throw new Error(
          `table ${table.name} has columns (${present.join(', ')}), ${source.name} (${table.columns.join(', ')})`,
        );
      await client.query(`ALTER TABLE ${quoted(table.name)} DISABLE TRIGGER USER`);
      const copy = client.query(
        copyFrom(`COPY ${quoted(table.name)} (${table.columns.map(quoted).join(', ')}) FROM STDIN`),
      );
      await pipeline(source.open(table.name), copy);
      if (copy.rowCount !== table.rows)
        throw new Error(`table ${table.name}: ${copy.rowCount} rows loaded, ${source.name} holds ${table.rows}`);
      await client.query(`ALTER TABLE ${quoted(table.name)} ENABLE TRIGGER USER`);
      bar.increment(table.name);
    }
    for (const { name, lastValue } of source.sequences) {
      if (lastValue !== null) await client.query('SELECT setval($1::regclass, $2::bigint)', [quoted(name), lastValue]);
    }
    await client.query('UPDATE outbox SET published_at = NULL WHERE id >= $1::bigint', [source.replayFromOutboxId]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    bar.stop();
  }
}

/**
 * PostgreSQL's part of a restore: the schema brought to the rows' migration
 * level, the rows loaded, then the product's remaining migrations and the
 * roles' grants (`migrate`, as at every start), so the restored data also
 * goes through every later migration.
 */
export async function restorePostgres(
  client: pg.Client,
  postgres: Config['postgres'],
  source: RowsSource,
  progress: Progress,
  step: (name: string, work: () => Promise<unknown>) => Promise<void>,
): Promise<void> {
  const level = knownMigrationCount(source.migrationLevel);
  await step(`PostgreSQL: the migration level of ${source.name}`, () => migrateTo(postgres, level));
  await step('PostgreSQL: rows', () => loadRows(client, source, progress));
  await step('PostgreSQL: later migrations and grants', async () => {
    const service = createDataSource(postgres);
    await service.initialize();
    try {
      await migrate(service, postgres);
    } finally {
      await service.destroy();
    }
  });
}
