import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Config, Teardown } from '@polystore/common';
import { reach } from '../consistency/stores.js';
import { readEndPosition, type EndPosition } from './positions.js';
import type { Progress } from './progress.js';
import type { BackupSet, SetFile } from './set-writer.js';

/** A table of the set: its rows in COPY's text format, in `file`, columns in this order. */
export interface TableCopy {
  name: string;
  columns: string[];
  rows: number;
  file: string;
}

export interface PostgresCopy {
  serverVersion: string;
  schema: string;
  /** The role the snapshot was read as (the schema's owner when DATABASE_OWNER_URL is set). */
  role: string;
  /** The last migration applied: a restore migrates an empty database to exactly this level before loading rows. */
  migrationLevel: { last: string | null; count: number };
  /** Tables in foreign-key order: a table comes after every table it references, so rows load in this order. */
  tables: TableCopy[];
  /** Identity and serial sequences as read during the snapshot (not transactional: a restore sets each past its column's highest value). */
  sequences: { name: string; lastValue: string | null }[];
  end: EndPosition;
  files: SetFile[];
}

/** A connection that reads everything: the schema owner's, else DATABASE_URL's (whose role then owns the schema). */
export function connectPostgres(postgres: Config['postgres'], teardown: Teardown): Promise<pg.Client> {
  return reach('PostgreSQL', async () => {
    const client = new pg.Client({
      connectionString: postgres.ownerUrl ?? postgres.url,
      application_name: 'polystore-backup',
      connectionTimeoutMillis: postgres.connectTimeoutMs,
    });
    client.on('error', () => {}); // the failing query says it
    await client.connect();
    teardown.add('postgres backup connection', () => client.end());
    await client.query('SELECT 1');
    return client;
  });
}

/** Base tables of the schema, each after the tables it references (self-references aside). */
export async function tablesInForeignKeyOrder(client: pg.Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' ORDER BY c.relname`,
  );
  const { rows: references } = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint f
     JOIN pg_class child ON child.oid = f.conrelid JOIN pg_class parent ON parent.oid = f.confrelid
     WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace AND f.conrelid <> f.confrelid`,
  );
  const ordered: string[] = [];
  const visit = (name: string, path: Set<string>) => {
    if (ordered.includes(name) || path.has(name)) return;
    path.add(name);
    for (const { parent } of references.filter(({ child }) => child === name)) visit(parent, path);
    ordered.push(name);
  };
  for (const { name } of tables) visit(name, new Set());
  return ordered;
}

/** A table's columns in order (generated ones aside: COPY cannot write them). */
export async function columnsOf(client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
     WHERE attrelid = format('%I', $1::text)::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
     ORDER BY attnum`,
    [table],
  );
  return rows.map(({ name }) => name);
}

/** A table's rows in COPY's text format, streamed. */
export const copyOut = (client: pg.Client, table: string, columns: string[]) =>
  client.query(
    copyTo(
      `COPY ${client.escapeIdentifier(table)} (${columns.map((c) => client.escapeIdentifier(c)).join(', ')}) TO STDOUT`,
    ),
  );

/** The schema's identity and serial sequences with their values. */
export async function sequencesOf(client: pg.Client): Promise<PostgresCopy['sequences']> {
  const { rows } = await client.query<{ name: string; last_value: string | null }>(
    `SELECT sequencename AS name, last_value::text FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1`,
  );
  return rows.map(({ name, last_value }) => ({ name, lastValue: last_value }));
}

export async function migrationLevel(client: pg.Client): Promise<PostgresCopy['migrationLevel']> {
  const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id');
  return { last: rows.at(-1)?.name ?? null, count: rows.length };
}

/**
 * Copies every table of the schema from one snapshot (REPEATABLE READ, READ
 * ONLY: every table as of the same moment, so each foreign key of the copy
 * holds), with COPY … TO STDOUT streamed into the set, and reads the end
 * position inside the same snapshot. Taken last, after MongoDB and S3.
 */
export async function copyPostgres(
  client: pg.Client,
  set: BackupSet,
  replayFromOutboxId: string,
  progress: Progress,
): Promise<PostgresCopy> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  try {
    // The first query fixes the snapshot: everything below reads the same moment.
    const { rows } = await client.query<{ version: string; schema: string; role: string }>(
      `SELECT current_setting('server_version') AS version, current_schema() AS schema, current_user AS role`,
    );
    const { version, schema, role } = rows[0]!;
    const end = await readEndPosition(client, replayFromOutboxId);
    const names = await tablesInForeignKeyOrder(client);
    const bar = progress.bar('postgres tables', names.length);
    const tables: TableCopy[] = [];
    for (const name of names) {
      const columns = await columnsOf(client, name);
      const stream = copyOut(client, name, columns);
      const file = await set.write(`postgres/${name}.copy`, stream);
      tables.push({ name, columns, rows: stream.rowCount, file: file.path });
      bar.increment(name);
    }
    bar.stop();
    const level = await migrationLevel(client);
    const copy = { serverVersion: version, schema, role, migrationLevel: level, tables, end };
    return { ...copy, sequences: await sequencesOf(client), files: set.filesUnder('postgres') };
  } finally {
    await client.query('COMMIT');
  }
}
